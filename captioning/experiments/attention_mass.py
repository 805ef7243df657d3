"""Mean attention mass inside the object's bbox for the words naming it (shape, colour), on one-object scenes.
Usage: attention_mass.py objects_val.json captions.json   (captions.json from `glimpse caption --json`)
Mass of a grid cell inside the bbox = its weight x the share of the cell's area the bbox covers
(the encoder squashes the whole image into its input, so the grid tiles the whole image)."""
import json, os, sys

objs = {os.path.basename(i['file_name']): i for i in json.load(open(sys.argv[1]))['images']}
caps = json.load(open(sys.argv[2]))['captions']


def mass(img, att, word_index):
    rows, cols = att['grid_rows'], att['grid_cols']
    W, H = img['width'], img['height']
    x, y, w, h = img['objects'][0]['bbox']
    weights = att['words'][word_index]['weights']
    m = 0.0
    for r in range(rows):
        for k in range(cols):
            cx0, cx1, cy0, cy1 = k * W / cols, (k + 1) * W / cols, r * H / rows, (r + 1) * H / rows
            ox = max(0, min(cx1, x + w) - max(cx0, x))
            oy = max(0, min(cy1, y + h) - max(cy0, y))
            m += weights[r * cols + k] * ox * oy / ((cx1 - cx0) * (cy1 - cy0))
    return m, w * h / (W * H)


one = [c for c in caps if len(objs[os.path.basename(c['file'])]['objects']) == 1]
print(f"one-object images: {len(one)}")
for key in ('shape', 'color'):
    found = []
    for c in one:
        img = objs[os.path.basename(c['file'])]
        words = [w['word'] for w in c['attention']['words']]
        target = img['objects'][0][key]
        if target in words:
            found.append(mass(img, c['attention'], words.index(target)))
    if found:
        print(f"{key} word named in {len(found)} captions: mean attention mass inside the bbox "
              f"{sum(m for m, _ in found) / len(found):.3f} (uniform attention: {sum(u for _, u in found) / len(found):.3f})")
