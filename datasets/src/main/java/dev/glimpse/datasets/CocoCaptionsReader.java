package dev.glimpse.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a COCO captions file ({@code captions_train2017.json}):
 * {@code images[{id, file_name, width?, height?}]} and {@code annotations[{id, image_id, caption}]}.
 * Other fields are ignored. Rejects duplicate image or annotation ids, captions for unknown
 * images and file names that leave the image root.
 */
public final class CocoCaptionsReader {
    private CocoCaptionsReader() {}

    public static CaptionCorpus read(Path json, Path imageRoot) {
        return read(json, imageRoot, ReadOptions.DEFAULT);
    }

    public static CaptionCorpus read(Path json, Path imageRoot, ReadOptions options) {
        ImageFiles files = new ImageFiles(imageRoot, options);
        List<CocoImage> images = new ArrayList<>();
        Map<Long, Integer> imageIndex = new HashMap<>();
        List<CocoCaption> captions = new ArrayList<>();
        LongList captionIds = new LongList();
        String name = json.toString();
        // Existence checks wait until the whole file parsed, so a syntax error is reported
        // before thousands of stat calls and a "missing file" failure never hides a bad JSON.
        List<String> fileNames = new ArrayList<>();
        new JsonRecords(json)
                .onArray("images", (i, rec, where) -> {
                    Fields.object(rec, where);
                    long id = Fields.id(rec, "id", where);
                    String fileName = Fields.text(rec, "file_name", where);
                    int width = Fields.optionalInt(rec, "width", 0, where);
                    int height = Fields.optionalInt(rec, "height", 0, where);
                    Integer prev = imageIndex.putIfAbsent(id, i);
                    if (prev != null) {
                        throw new GlimpseException(where + ": duplicate image id " + id + " (also images[" + prev + "])");
                    }
                    files.inside(fileName, "file_name", where);
                    images.add(new CocoImage(id, fileName, width, height, null));
                    fileNames.add(fileName);
                })
                .onArray("annotations", (i, rec, where) -> {
                    Fields.object(rec, where);
                    long id = Fields.id(rec, "id", where);
                    long imageId = Fields.id(rec, "image_id", where);
                    String text = Fields.text(rec, "caption", where);
                    captions.add(new CocoCaption(id, imageId, text));
                    captionIds.add(id);
                })
                .read();
        int[] dup = Duplicates.find(captionIds.raw(), captionIds.size());
        if (dup != null) {
            throw new GlimpseException(name + ": annotations[" + dup[1] + "]: duplicate annotation id "
                    + captionIds.get(dup[1]) + " (also annotations[" + dup[0] + "])");
        }
        for (int i = 0; i < captions.size(); i++) {
            long imageId = captions.get(i).imageId();
            if (!imageIndex.containsKey(imageId)) {
                throw new GlimpseException(name + ": annotations[" + i + "]: caption for unknown image id " + imageId);
            }
        }
        List<CocoImage> resolved = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            CocoImage img = images.get(i);
            Path file = files.resolve(fileNames.get(i), "file_name", name + ": images[" + i + "]");
            resolved.add(new CocoImage(img.id(), img.fileName(), img.width(), img.height(), file));
        }
        return new CaptionCorpus(resolved, captions, files.missing());
    }
}
