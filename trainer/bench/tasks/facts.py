"""Task family "facts": per-entity facts listed in a knowledge block that the teacher cites.

Prompt `W W E A`: two phrasing words (8 of them, so every entity has 64 phrasings; held-out prompts are phrasings not
trained on) and an entity; the answer is the entity's value `V` (one of 16). Topic t is a group of six entities.

- Without knowledge the base half-remembers: the right value 30% of the time, otherwise a fixed wrong value (a
  misconception per entity), and it hedges (1-2 THINK tokens) 60% of the time.
- The knowledge block `K [N_i E V] x6` lists the topic's six facts in a random order; the teacher answers the value
  and cites the fact's position (`CITE N_i`), which changes per prompt and cannot be known without the block.
- The raw-trajectory block has the same length (19 tokens): `K` and six past episodes `E V OK|FAIL` on the topic's
  entities, right 30% of the time.
- OOD probes: "echo" (`ECHO W W E A` -> `E`: same phrasing words, entities and format) and "reverse" (an unrelated
  task over a separate alphabet).
"""
import random as _random

NAME = "facts"
PAD, EOS, A, K, CITE, THINK, OK, FAIL, ECHO, REV = range(10)
WORDS = list(range(10, 18))
GROUPS = 4  # topics 0-2 are trained on; group 3 only appears in pre-training
PER_GROUP = 6
ENT = list(range(18, 18 + GROUPS * PER_GROUP))  # 18..41
IDX = list(range(42, 42 + PER_GROUP))  # 42..47
VALUES = list(range(48, 64))
OOD_LETTERS = list(range(64, 74))
VOCAB = 74
MAX_NEW_TOKENS = 7
TOPICS = 3
OOD_PROBES = ["echo", "reverse"]
MODEL = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2}
PRETRAIN = {"steps": 3000, "batch": 64, "lr": 3e-3}
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


def _knowledge(rng, t, values):
    ents = entities(t)[:]
    rng.shuffle(ents)
    block = [K]
    for i, e in enumerate(ents):
        block += [IDX[i], e, values[e]]
    return block, ents


def _trajectories(rng, t, values, q=Q_RIGHT):
    block = [K]
    for _ in range(PER_GROUP):
        e = rng.choice(entities(t))
        right = rng.random() < q
        block += [e, values[e] if right else WRONG[e], OK if right else FAIL]
    return block


def pretrain_example(rng):
    kind = rng.random()
    if kind < 0.1:
        e = rng.choice(ENT)
        return [ECHO] + _phrasing(rng) + [e, A], [e, EOS]
    if kind < 0.2:
        ys = [rng.choice(OOD_LETTERS) for _ in range(rng.randint(3, 5))]
        return [REV] + ys + [A], ys[::-1] + [EOS]
    t = rng.randrange(GROUPS)
    e = rng.choice(entities(t))
    q = _phrasing(rng) + [e, A]
    if kind < 0.5:
        return q, _prior(rng, e, TRUE[e])
    values = {x: rng.choice(VALUES) for x in entities(t)}  # in-context facts vary: read them
    if kind < 0.8:
        block, order = _knowledge(rng, t, values)
        return block + q, [values[e], CITE, IDX[order.index(e)], EOS]
    block = _trajectories(rng, t, values, q=0.5)
    for i in range(1, len(block), 3):  # episodes: E V OK|FAIL
        if block[i] == e and block[i + 2] == OK:
            return block + q, [block[i + 1], EOS]
    return block + q, _prior(rng, e, TRUE[e])


def main_prompt(rng, topic):
    e = rng.choice(entities(topic))
    w = _phrasing(rng)
    block, order = _knowledge(rng, topic, TRUE)
    return {"student": w + [e, A], "knowledge": block, "trajectories": _trajectories(rng, topic, TRUE),
            "key": (e, tuple(w)), "entity": e, "cite": IDX[order.index(e)]}


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
