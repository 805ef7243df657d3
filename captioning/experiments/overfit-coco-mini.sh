#!/bin/bash
# Overfit check: 80 coco-mini photos (400 captions), validated on the training file itself; then
# how many greedy captions are exactly one of the image's training captions.
# Usage: captioning/experiments/overfit-coco-mini.sh COCO_MINI_DIR [WORKDIR]   (from the repository root)
set -euo pipefail
C=${1:?coco-mini folder}
W=${2:-/tmp/glimpse-overfit}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
timeout 30m ./glimpse train captioner --captions "$C/annotations/captions_train2017.json" --images "$C/train2017" \
  --val-captions "$C/annotations/captions_train2017.json" --val-images "$C/train2017" \
  --encoder squeezenet --random-init-encoder --epochs 40 --batch 40 --lr 3e-3 --schedule none --dropout 0 \
  --patience 0 --embed 256 --hidden 512 --attention-dim 128 --min-word-count 1 --max-caption-length 25 \
  --checkpoint-every 0 --out "$W/overfit.zip"
./glimpse caption "$C/train2017" --model "$W/overfit.zip" --beam 1 --max-length 25 > "$W/captions.tsv"
python3 - "$C/annotations/captions_train2017.json" "$W/captions.tsv" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
files = {i['file_name']: i['id'] for i in d['images']}
tok = lambda s: ' '.join(re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", s.lower()))
refs = {}
for a in d['annotations']:
    refs.setdefault(a['image_id'], set()).add(tok(a['caption']))
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])]
exact = sum(c in refs[files[f.split('/')[-1]]] for f, c in rows)
print(f"greedy caption equals one of the image's training captions: {exact}/{len(rows)}")
PY
