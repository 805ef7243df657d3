"""Mean attention mass inside the object's bbox, for the word naming the object, on one-object scenes.
Usage: attention_mass.py objects_val.json caption.json  (caption.json from `glimpse caption --json`)"""
import json, sys, os
objs = {os.path.basename(i['file_name']): i for i in json.load(open(sys.argv[1]))['images']}
caps = json.load(open(sys.argv[2]))['captions']
SHAPES = None
masses, uniform, named = [], [], 0
for c in caps:
    img = objs[os.path.basename(c['file'])]
    if len(img['objects']) != 1:
        continue
    o = img['objects'][0]
    words = [w['word'] for w in c['attention']['words']]
    if o['shape'] not in words:
        continue
    named += 1
    wi = words.index(o['shape'])
    rows, cols = c['attention']['grid_rows'], c['attention']['grid_cols']
    W, H = img['width'], img['height']
    x, y, w, h = o['bbox']
    weights = c['attention']['words'][wi]['weights']
    m = 0.0
    for r in range(rows):
        for k in range(cols):
            cx0, cx1 = k * W / cols, (k + 1) * W / cols
            cy0, cy1 = r * H / rows, (r + 1) * H / rows
            ox = max(0, min(cx1, x + w) - max(cx0, x))
            oy = max(0, min(cy1, y + h) - max(cy0, y))
            m += weights[r * cols + k] * (ox * oy) / ((cx1 - cx0) * (cy1 - cy0))
    masses.append(m)
    uniform.append(w * h / (W * H))
one = sum(1 for c in caps if len(objs[os.path.basename(c['file'])]['objects']) == 1)
print(f"one-object images: {one}, captions naming the object's shape: {named}")
if masses:
    print(f"mean attention mass inside the bbox for the shape word: {sum(masses)/len(masses):.3f}"
          f" (uniform attention would give {sum(uniform)/len(uniform):.3f})")
