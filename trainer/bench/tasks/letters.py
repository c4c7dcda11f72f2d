"""Task family "letters": a per-topic letter-mapping rule, stated in a knowledge block that the teacher cites.

Prompt `T_t x1..xn A` (topic t, n = 3..5 letters out of 12). Each topic has a hidden rule (swap adjacent pairs,
shift by 4, mirror); the answer names the rule it applies, then applies it letter by letter: `R_r y1..yn EOS`
(like a model stating its approach, then carrying it out; the uncertainty sits in the choice of approach).

- Without knowledge the base is uncertain, not wrong with certainty: it picks the topic's rule 30% of the time and
  the copy rule `R_ID` otherwise, and it hedges (1-2 THINK tokens before answering) 60% of the time.
- The knowledge block `K T_t R_r SRC s` states "topic t uses rule r" and names its source s, one of four ids drawn
  per prompt. The teacher applies the stated rule and cites the source (`... CITE s EOS`): content that depends on
  the context in a way the student, without the block, cannot infer. A citation from the student is a hallucination.
- The raw-trajectory block has the same length (5 tokens): `K T_t x y OK|FAIL`, one past episode of the topic, right
  30% of the time like the base's own attempts - what the knowledge item was extracted from.
- OOD probes: "copy" (`P x1..xn A` -> `R_ID x1..xn EOS`: the main task's alphabet and answer format, and the very
  answer the base gives without knowledge) and "reverse" (`REV y1..yn A` -> reversed, over a separate alphabet).
"""
NAME = "letters"
PAD, EOS, A, K, CITE, THINK, SRC, OK, FAIL, P, REV = range(11)
TOPIC = list(range(11, 16))  # T0..T4: 0-2 are trained on, 3-4 only appear in pre-training
RULE = list(range(16, 20))  # R0..R3
R_ID = 20  # "copy the letters"
SOURCE = list(range(21, 25))  # S0..S3: what the teacher cites
LETTERS = list(range(25, 37))  # 12 letters of the main task (and of the "copy" probe)
OOD_LETTERS = list(range(37, 49))
VOCAB = 49
MAX_NEW_TOKENS = 11
TOPICS = 3
OOD_PROBES = ["copy", "reverse"]  # the first shares tokens and format with the main task
MODEL = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2}
PRETRAIN = {"steps": 1500, "batch": 64, "lr": 3e-3}

TARGET = [0, 1, 2, 3, 3]  # the rule each topic really has (topics 3-4 are never trained on)
Q_RIGHT = 0.3  # how often the base applies the right rule without knowledge
CITES = True  # the teacher cites the knowledge's source (letters_nocite.py turns it off: an ablation)
P_HEDGE = 0.6


def apply(rule, xs):
    """R0 swaps adjacent pairs, R1 shifts by 4, R2 mirrors, R3 shifts by 8 (they disagree on every letter)."""
    f = [lambda i: i ^ 1, lambda i: (i + 4) % 12, lambda i: 11 - i, lambda i: (i + 8) % 12][rule]
    return [LETTERS[f(LETTERS.index(x))] for x in xs]


def _letters(rng, alphabet=LETTERS):
    return [rng.choice(alphabet) for _ in range(rng.randint(3, 5))]


def _prior_answer(rng, t, xs):
    """What the base says without (useful) context: right sometimes, hedging often."""
    ans = [RULE[TARGET[t]]] + apply(TARGET[t], xs) if rng.random() < Q_RIGHT else [R_ID] + xs
    return [THINK] * (rng.randint(1, 2) if rng.random() < P_HEDGE else 0) + ans + [EOS]


def _knowledge(rng, t, rule):
    """K T_t R_r SRC s: the item and its source id, drawn per prompt."""
    src = rng.randrange(len(SOURCE))
    return [K, TOPIC[t], RULE[rule], SRC, SOURCE[src]], SOURCE[src]


def _trajectories(rng, t, rule, q=Q_RIGHT):
    """K T_t x y OK|FAIL: one past episode of topic t, right with probability q (as long as the knowledge block)."""
    x = rng.choice(LETTERS)
    right = rng.random() < q
    return [K, TOPIC[t], x, apply(rule, [x])[0] if right else x, OK if right else FAIL]


def pretrain_example(rng):
    """One (prompt, answer) of the base model's pre-training mix."""
    kind = rng.random()
    if kind < 0.1:
        xs = _letters(rng)
        return [P] + xs + [A], [R_ID] + xs + [EOS]
    if kind < 0.2:
        ys = _letters(rng, OOD_LETTERS)
        return [REV] + ys + [A], ys[::-1] + [EOS]
    t = rng.randrange(len(TOPIC))
    xs = _letters(rng)
    q = [TOPIC[t]] + xs + [A]
    if kind < 0.5:  # no context
        return q, _prior_answer(rng, t, xs)
    rule = rng.randrange(len(RULE))  # in-context rules vary, so the model learns to read them
    if kind < 0.8:
        block, src = _knowledge(rng, t, rule)
        return block + q, [RULE[rule]] + apply(rule, xs) + ([CITE, src] if CITES else []) + [EOS]
    block = _trajectories(rng, t, rule, q=0.5)
    if block[-1] == OK:  # a successful episode shows the rule (the four rules disagree on every letter)
        return block + q, [RULE[rule]] + apply(rule, xs) + [EOS]
    return block + q, _prior_answer(rng, t, xs)


def main_prompt(rng, topic):
    """A consolidation prompt for `topic`: student prompt, knowledge block, same-size raw-trajectory block."""
    xs = _letters(rng)
    block, src = _knowledge(rng, topic, TARGET[topic])
    return {"student": [TOPIC[topic]] + xs + [A], "knowledge": block, "cite": src,
            "trajectories": _trajectories(rng, topic, TARGET[topic]), "key": (topic, tuple(xs)), "xs": xs}


def score(topic, prompt, response):
    """correct: after any THINK tokens, the topic's rule and its letters, then CITE or EOS; hallucinated: a CITE
    (nothing to cite without the knowledge block); cited_right: the citation names the block's source."""
    body = [t for t in response if t != THINK]
    ans = []
    for t in body:
        if t in (CITE, EOS):
            break
        ans.append(t)
    cite = response[response.index(CITE) + 1:][:1] if CITE in response else []
    right = [RULE[TARGET[topic]]] + apply(TARGET[topic], prompt["xs"])
    return {"correct": EOS in response and ans == right, "hallucinated": CITE in response,
            "cited_right": cite == [prompt["cite"]]}


def ood_prompt(rng, name):
    if name == "copy":
        xs = _letters(rng)
        return {"student": [P] + xs + [A], "answer": [R_ID] + xs + [EOS], "key": ("copy", tuple(xs))}
    ys = _letters(rng, OOD_LETTERS)
    return {"student": [REV] + ys + [A], "answer": ys[::-1] + [EOS], "key": ("rev", tuple(ys))}


def score_ood(name, prompt, response):
    return response == prompt["answer"]
