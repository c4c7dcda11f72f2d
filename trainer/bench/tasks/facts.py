"""Task family "facts": per-entity facts listed in a knowledge block that the teacher cites.

Prompt `W W E A`: two phrasing words (8 of them, so every entity has 64 phrasings; held-out prompts are phrasings not
trained on) and an entity; the answer is the entity's value `V` (one of 16). Topic t is a group of six entities.

- Without knowledge the base half-remembers: the right value 30% of the time, otherwise a fixed wrong value (a
  misconception per entity), and it hedges (1-2 THINK tokens) 60% of the time.
- The knowledge block `K E V S_s` (4 tokens) is the fact about the asked entity, as a retriever would put it in
  context, with a source id s (one of four) drawn per prompt; the teacher answers the value and cites the source
  (`V CITE S_s EOS`), which cannot be known without the block. The student has to memorise six facts per topic.
- The raw-trajectory block has the same length (4 tokens): `K E V OK|FAIL`, one past episode on that entity, right
  30% of the time.
- OOD probes: "echo" (`ECHO W W E A` -> `E`: same phrasing words, entities and format) and "reverse" (an unrelated
  task over a separate alphabet).
"""
import random as _random

NAME = "facts"
PAD, EOS, A, K, CITE, THINK, OK, FAIL, ECHO, REV = range(10)
N_SOURCES = 4
WORDS = list(range(10, 18))
GROUPS = 4  # topics 0-2 are trained on; group 3 only appears in pre-training
PER_GROUP = 6
ENT = list(range(18, 18 + GROUPS * PER_GROUP))  # 18..41
SOURCE = list(range(42, 42 + N_SOURCES))  # 42..45
VALUES = list(range(46, 62))
OOD_LETTERS = list(range(62, 72))
VOCAB = 72
MAX_NEW_TOKENS = 7
TOPICS = 3
OOD_PROBES = ["echo", "reverse"]
MODEL = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2}
PRETRAIN = {"steps": 2000, "batch": 64, "lr": 3e-3}
Q_RIGHT, P_HEDGE = 0.3, 0.6

_r = _random.Random(1234)  # the world's facts and the base's misconceptions: fixed, whatever the seed
TRUE = {e: _r.choice(VALUES) for e in ENT}
WRONG = {e: _r.choice([v for v in VALUES if v != TRUE[e]]) for e in ENT}


def entities(t):
    return ENT[t * PER_GROUP:(t + 1) * PER_GROUP]


def _phrasing(rng):
    return [rng.choice(WORDS), rng.choice(WORDS)]


def _prior(rng, e, true):
    ans = true if rng.random() < Q_RIGHT else WRONG[e]
    return [THINK] * (rng.randint(1, 2) if rng.random() < P_HEDGE else 0) + [ans, EOS]


def _knowledge(rng, e, value):
    """K E V S_s: the fact and a source id drawn per prompt."""
    src = SOURCE[rng.randrange(N_SOURCES)]
    return [K, e, value, src], src


def _trajectory(rng, e, value, q=Q_RIGHT):
    """K E V OK|FAIL: one past episode on entity e, right with probability q (as long as the knowledge block)."""
    right = rng.random() < q
    return [K, e, value if right else WRONG[e], OK if right else FAIL]


def pretrain_example(rng):
    kind = rng.random()
    if kind < 0.1:
        e = rng.choice(ENT)
        return [ECHO] + _phrasing(rng) + [e, A], [e, EOS]
    if kind < 0.2:
        ys = [rng.choice(OOD_LETTERS) for _ in range(rng.randint(3, 5))]
        return [REV] + ys + [A], ys[::-1] + [EOS]
    e = rng.choice(ENT)
    q = _phrasing(rng) + [e, A]
    if kind < 0.5:
        return q, _prior(rng, e, TRUE[e])
    value = rng.choice(VALUES)  # in-context facts vary, so the model learns to read them
    if kind < 0.8:
        block, src = _knowledge(rng, e, value)
        return block + q, [value, CITE, src, EOS]
    block = _trajectory(rng, e, value, q=0.5)
    if block[-1] == OK:
        return block + q, [value, EOS]
    return block + q, _prior(rng, e, TRUE[e])


def main_prompt(rng, topic):
    e = rng.choice(entities(topic))
    w = _phrasing(rng)
    block, src = _knowledge(rng, e, TRUE[e])
    return {"student": w + [e, A], "knowledge": block, "trajectories": _trajectory(rng, e, TRUE[e]),
            "key": (e, tuple(w)), "entity": e, "cite": src}


def score(topic, prompt, response):
    body = [t for t in response if t != THINK]
    ans = []
    for t in body:
        if t in (CITE, EOS):
            break
        ans.append(t)
    cite = response[response.index(CITE) + 1:][:1] if CITE in response else []
    return {"correct": EOS in response and ans == [TRUE[prompt["entity"]]], "hallucinated": CITE in response,
            "cited_right": cite == [prompt["cite"]]}


def ood_prompt(rng, name):
    if name == "echo":
        e = rng.choice(ENT[:TOPICS * PER_GROUP])
        return {"student": [ECHO] + _phrasing(rng) + [e, A], "answer": [e, EOS], "key": e}
    ys = [rng.choice(OOD_LETTERS) for _ in range(rng.randint(3, 5))]
    return {"student": [REV] + ys + [A], "answer": ys[::-1] + [EOS], "key": tuple(ys)}


def score_ood(name, prompt, response):
    return response == prompt["answer"]
