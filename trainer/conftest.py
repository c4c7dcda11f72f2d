# Lives at the trainer root so pytest puts this folder on sys.path and `import oel_trainer` works uninstalled.
