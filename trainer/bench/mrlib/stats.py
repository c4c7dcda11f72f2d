"""Summary statistics over seeds: mean with a 95% t-interval, and sign counts of paired differences."""
import math

# two-sided 95% Student t quantiles by degrees of freedom (1..30); beyond that the normal 1.96 is close enough
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def mean_ci(xs):
    """(mean, half-width of the 95% confidence interval of the mean); half-width None for fewer than 2 values.
    None values (a method that never reached a level) are left out."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, None
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, None
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))
    t = _T95[len(xs) - 2] if len(xs) - 1 <= len(_T95) else 1.96
    return m, t * sd / math.sqrt(len(xs))


def fmt(xs, digits=3):
    """'mean ± half-width (n)' for a table cell; notes how many values were missing."""
    present = [x for x in xs if x is not None]
    m, h = mean_ci(present)
    if m is None:
        return "n/a"
    s = f"{m:.{digits}f}" + (f" ± {h:.{digits}f}" if h is not None else "")
    return s + (f" ({len(present)}/{len(xs)} seeds)" if len(present) < len(xs) else "")


def better(a, b, higher_is_better=True, tol=1e-9):
    """'better/tie/worse' counts of a against b over paired values (pairs with a None are skipped), so the
    direction of "better" is spelled out once here, not by each reader."""
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    hi = sum(x > y + tol for x, y in pairs)
    lo = sum(x < y - tol for x, y in pairs)
    if not higher_is_better:
        hi, lo = lo, hi
    return f"{hi}/{len(pairs) - hi - lo}/{lo}"
