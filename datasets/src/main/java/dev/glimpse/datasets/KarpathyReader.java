package dev.glimpse.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Karpathy's split files: {@code images[{split, filepath?, filename, imgid, cocoid?,
 * sentences[{tokens, raw, imgid, sentid}]}]} and {@code dataset}. COCO files carry
 * {@code filepath} and {@code cocoid}; Flickr files have neither. Rejects duplicate image, COCO
 * or sentence ids, sentences whose {@code imgid} is not their image's, unknown split names and
 * paths that leave the image root.
 */
public final class KarpathyReader {
    private KarpathyReader() {}

    public static KarpathyDataset read(Path json, Path imageRoot) {
        return read(json, imageRoot, ReadOptions.DEFAULT);
    }

    public static KarpathyDataset read(Path json, Path imageRoot, ReadOptions options) {
        ImageFiles files = new ImageFiles(imageRoot, options);
        List<KarpathyImage> images = new ArrayList<>();
        List<String> relative = new ArrayList<>();
        Map<Long, Integer> byImgId = new HashMap<>();
        Map<Long, Integer> byCocoId = new HashMap<>();
        LongList sentIds = new LongList();
        LongList sentPlace = new LongList(); // image index << 32 | sentence index, for messages
        String name = json.toString();
        JsonRecords reader = new JsonRecords(json).onArray("images", (i, rec, where) -> {
            Fields.object(rec, where);
            String split = Fields.text(rec, "split", where);
            if (!KarpathyDataset.SPLITS.contains(split)) {
                throw new GlimpseException(where + ": field \"split\" must be one of train, val, test, restval, got \""
                        + split + "\"");
            }
            long imgId = Fields.id(rec, "imgid", where);
            Long cocoId = Fields.optionalId(rec, "cocoid", where);
            String filepath = Fields.optionalText(rec, "filepath", where);
            String filename = Fields.text(rec, "filename", where);
            Integer prev = byImgId.putIfAbsent(imgId, i);
            if (prev != null) {
                throw new GlimpseException(where + ": duplicate imgid " + imgId + " (also images[" + prev + "])");
            }
            if (cocoId != null && (prev = byCocoId.putIfAbsent(cocoId, i)) != null) {
                throw new GlimpseException(where + ": duplicate cocoid " + cocoId + " (also images[" + prev + "])");
            }
            String rel = filepath == null || filepath.isEmpty() ? filename : filepath + "/" + filename;
            files.inside(rel, filepath == null ? "filename" : "filepath/filename", where + " (imgid " + imgId + ")");
            JsonNode sents = Fields.array(rec, "sentences", where);
            List<KarpathySentence> sentences = new ArrayList<>(sents.size());
            for (int s = 0; s < sents.size(); s++) {
                String sw = where + ".sentences[" + s + "]";
                JsonNode sr = Fields.object(sents.get(s), sw);
                long sentId = Fields.id(sr, "sentid", sw);
                String raw = Fields.text(sr, "raw", sw);
                List<String> tokens = Fields.strings(sr, "tokens", sw);
                Long sentImg = Fields.optionalId(sr, "imgid", sw);
                if (sentImg != null && sentImg != imgId) {
                    throw new GlimpseException(sw + ": imgid " + sentImg + " differs from the image's imgid " + imgId);
                }
                sentences.add(new KarpathySentence(sentId, raw, tokens));
                sentIds.add(sentId);
                sentPlace.add(((long) i << 32) | s);
            }
            images.add(new KarpathyImage(cocoId != null ? cocoId : imgId, imgId, cocoId, split, filepath, filename,
                    null, sentences));
            relative.add(rel);
        });
        reader.read();
        int[] dup = Duplicates.find(sentIds.raw(), sentIds.size());
        if (dup != null) {
            throw new GlimpseException(name + ": " + place(sentPlace.get(dup[1])) + ": duplicate sentid "
                    + sentIds.get(dup[1]) + " (also " + place(sentPlace.get(dup[0])) + ")");
        }
        JsonNode dataset = reader.scalar("dataset");
        List<KarpathyImage> resolved = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            KarpathyImage img = images.get(i);
            Path file = files.resolve(relative.get(i), "filename", name + ": images[" + i + "] (imgid " + img.imgId() + ")");
            resolved.add(new KarpathyImage(img.id(), img.imgId(), img.cocoId(), img.split(), img.filepath(),
                    img.filename(), file, img.sentences()));
        }
        return new KarpathyDataset(dataset != null && dataset.isTextual() ? dataset.textValue() : null,
                resolved, files.missing());
    }

    private static String place(long packed) {
        return "images[" + (packed >>> 32) + "].sentences[" + (packed & 0xffffffffL) + "]";
    }
}
