#!/bin/bash
# Acceptance run on synthetic scenes: a captioner on random-init SqueezeNet features, then the
# image-blind baseline (same training, features of random other images) from the same cache,
# then beam/greedy scores, colour/shape naming and attention-in-bbox figures.
# Usage: captioning/experiments/scenes.sh [WORKDIR]   (from the repository root, after mvn package)
set -euo pipefail
W=${1:-/tmp/glimpse-scenes}
S=$W/scenes
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}   # measured: much faster than the default on a loaded 2-core box
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$S/captions_val.json" ] || ./glimpse scenes --out "$S" --train 3000 --val 300 --seed 1
COMMON=(--captions "$S/captions_train.json" --images "$S/images/train" --val-captions "$S/captions_val.json"
  --val-images "$S/images/val" --epochs 8 --batch 64 --lr 2e-3 --schedule none --dropout 0.2 --patience 3
  --embed 128 --hidden 256 --attention-dim 128 --min-word-count 1 --max-caption-length 20 --checkpoint-every 100)
timeout 30m ./glimpse train captioner "${COMMON[@]}" --encoder squeezenet --random-init-encoder --encoder-size 128 \
  --cache-features "$W/features" --out "$W/seeing.zip"
timeout 30m ./glimpse train captioner "${COMMON[@]}" --features "$W/features" --blind --out "$W/blind.zip"
for m in seeing blind; do
  ./glimpse evaluate captions --model "$W/$m.zip" --references "$S/captions_val.json" --images "$S/images/val" \
    --beam 1 --save-results "$W/$m-results.json" | grep -E "BLEU-4|CIDEr-D"
  python3 "$here/names.py" "$S/objects_val.json" "$W/$m-results.json"
done
./glimpse caption "$S/images/val" --model "$W/seeing.zip" --json > "$W/seeing-captions.json"
python3 "$here/attention_mass.py" "$S/objects_val.json" "$W/seeing-captions.json"
