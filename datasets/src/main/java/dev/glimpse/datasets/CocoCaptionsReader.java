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
        Images images = new Images(files);
        List<CocoCaption> captions = new ArrayList<>();
        LongList captionIds = new LongList();
        String name = json.toString();
        // Existence checks wait until the whole file parsed, so a syntax error is reported
        // before thousands of stat calls and a "missing file" failure never hides a bad JSON.
        new JsonRecords(json)
                .onArray("images", images::add)
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
            if (!images.index.containsKey(imageId)) {
                throw new GlimpseException(name + ": annotations[" + i + "]: caption for unknown image id " + imageId);
            }
        }
        return new CaptionCorpus(images.resolved(name), captions, files.missing());
    }

    /**
     * Only the {@code images} array of a COCO captions or image-info file (test splits have no
     * annotations), validated exactly as {@link #read} validates it; other fields are skipped.
     * Missing files are listed in the result's order as {@link CocoImage#file()} paths, not fatal
     * unless {@code options} require them.
     */
    public static List<CocoImage> readImages(Path json, Path imageRoot, ReadOptions options) {
        Images images = new Images(new ImageFiles(imageRoot, options));
        new JsonRecords(json).onArray("images", images::add).read();
        return images.resolved(json.toString());
    }

    /** The {@code images} records: one validated entry each, file names checked against the root. */
    private static final class Images {
        private final ImageFiles files;
        private final List<CocoImage> list = new ArrayList<>();
        private final Map<Long, Integer> index = new HashMap<>();

        Images(ImageFiles files) {
            this.files = files;
        }

        void add(int i, JsonNode rec, String where) {
            Fields.object(rec, where);
            long id = Fields.id(rec, "id", where);
            String fileName = Fields.text(rec, "file_name", where);
            int width = Fields.optionalInt(rec, "width", 0, where);
            int height = Fields.optionalInt(rec, "height", 0, where);
            Integer prev = index.putIfAbsent(id, i);
            if (prev != null) {
                throw new GlimpseException(where + ": duplicate image id " + id + " (also images[" + prev + "])");
            }
            files.inside(fileName, "file_name", where + " (id " + id + ")");
            list.add(new CocoImage(id, fileName, width, height, null));
        }

        /** The images with their files resolved (real paths checked, absent files collected). */
        List<CocoImage> resolved(String name) {
            List<CocoImage> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                CocoImage img = list.get(i);
                Path file = files.resolve(img.fileName(), "file_name", name + ": images[" + i + "] (id " + img.id() + ")");
                out.add(new CocoImage(img.id(), img.fileName(), img.width(), img.height(), file));
            }
            return out;
        }
    }
}
