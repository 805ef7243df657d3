"""Do captions name the right shapes and colours? Usage: names.py objects_val.json results.json (image_id, caption)."""
import json, sys
objs = {i['id']: i for i in json.load(open(sys.argv[1]))['images']}
res = json.load(open(sys.argv[2]))
SHAPES = ['circle', 'square', 'triangle', 'star', 'cross']
COLOURS = sorted({o['color'] for i in objs.values() for o in i['objects']})
one_right = one = col = shp = 0
pairs = pairs_ok = 0
for r in res:
    img = objs[r['image_id']]
    toks = r['caption'].replace(',', ' ').split()
    present = {(o['color'], o['shape']) for o in img['objects']}
    if len(img['objects']) == 1:
        one += 1
        o = img['objects'][0]
        one_right += (o['color'] in toks and o['shape'] in toks)
        col += o['color'] in toks
        shp += o['shape'] in toks
    for i in range(len(toks) - 1):
        if toks[i] in COLOURS and toks[i + 1] in SHAPES:
            pairs += 1
            pairs_ok += (toks[i], toks[i + 1]) in present
print(f"one-object images: right colour and shape {one_right}/{one}, right colour {col}/{one}, right shape {shp}/{one}")
print(f"'<colour> <shape>' mentions that exist in the image: {pairs_ok}/{pairs} = {pairs_ok/max(1,pairs):.3f}")
