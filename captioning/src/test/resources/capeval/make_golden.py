# Produces the golden files for CocoCaptionGoldenTest with the REAL coco-caption code.
# Not run by the test suite. Needs python3 + numpy, java, and a checkout of salaniz/pycocoevalcap
# (commit ad63453; its bleu/, rouge/, cider/, tokenizer/ as package `pycocoevalcap` on PYTHONPATH,
# with stanford-corenlp-3.4.1.jar beside tokenizer/ptbtokenizer.py).
#   python3 make_golden.py   (in this directory)
import json, random
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.rouge.rouge import Rouge
from pycocoevalcap.cider.cider import Cider

refs = json.load(open('captions_val2017_mini.json'))
by_img = {}
for a in refs['annotations']:
    by_img.setdefault(a['image_id'], []).append(a['caption'])
img_ids = [im['id'] for im in refs['images']]

# Candidates: a seeded mix of near-misses, exact copies, wrong images and edge cases.
rnd = random.Random(2017)
tricky = ["Don't look, it's a 3.5 inch, 1,000-piece puzzle!", "A caf\u00e9 in M\u00fcnchen \U0001F600 (closed).",
          "a well-known -- e-mail ... ; : ?", "Two lines\nin one caption", "", "dog",
          " ".join(["a man on a horse"] * 15), "the the the the the", "3 1/2 (800) 555-1212", "A B C D E F G"]
results = []
for i, iid in enumerate(img_ids):
    if rnd.random() < 0.1:
        continue
    own = by_img[iid]
    u = rnd.random()
    if u < 0.15:
        c = own[0]
    elif u < 0.3:
        c = by_img[rnd.choice(img_ids)][rnd.randrange(5)]
    elif u < 0.5:
        w = own[rnd.randrange(len(own))].split()
        c = " ".join(w[: max(1, len(w) // 2)])
    elif u < 0.65:
        w = own[rnd.randrange(len(own))].split()
        rnd.shuffle(w)
        c = " ".join(w)
    elif u < 0.8:
        c = tricky[i % len(tricky)]
    else:
        w = own[rnd.randrange(len(own))].lower().split()
        c = " ".join(w + w[:3]) + " ."
    results.append({"image_id": iid, "caption": c})
json.dump(results, open('results_mini.json', 'w'), ensure_ascii=False, indent=0)

# What COCOEvalCap.evaluate does: images of the results in the references' order (loadRes), then
# the two tokenizer batches and the scorers (METEOR and SPICE left out: Glimpse does not ship them).
have = set(r['image_id'] for r in results)
ids = [i for i in img_ids if i in have]
gts = {i: [{'caption': c} for c in by_img[i]] for i in ids}
res = {i: [{'caption': r['caption']}] for r in results for i in [r['image_id']]}
res = {i: res[i] for i in ids}
tok = PTBTokenizer()
gts, res = tok.tokenize(gts), tok.tokenize(res)
out = {"source": "salaniz/pycocoevalcap ad63453, stanford-corenlp 3.4.1, numpy",
       "image_ids": ids, "tokenized_references": [gts[i] for i in ids],
       "tokenized_candidates": [res[i][0] for i in ids], "overall": {}, "per_image": {}}
for scorer, names in [(Bleu(4), ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"]), (Rouge(), ["ROUGE_L"]), (Cider(), ["CIDEr"])]:
    score, scores = scorer.compute_score(gts, res)
    if len(names) == 1:
        score, scores = [score], [scores]
    for n, s, per in zip(names, score, scores):
        out["overall"][n] = float(s)
        out["per_image"][n] = [float(x) for x in per]
json.dump(out, open('pycocoevalcap_scores.json', 'w'), ensure_ascii=False, indent=1)
