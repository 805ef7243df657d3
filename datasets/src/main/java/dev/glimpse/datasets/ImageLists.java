package dev.glimpse.datasets;

import dev.glimpse.common.features.ImageRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images an annotation file refers to, for {@code glimpse features}: read by the same strict
 * readers training uses (every record validated, file names and their real paths kept inside the
 * image root, truncated or invalid JSON refused, each error naming file, record index and id).
 * Files missing on disk are listed (the extractor reports them as skipped).
 */
public final class ImageLists {
    private ImageLists() {}

    /** {@code images[].id} and {@code file_name} of a COCO captions or image-info file. */
    public static List<ImageRef> fromCocoCaptions(Path json, Path imageRoot) {
        List<ImageRef> refs = new ArrayList<>();
        for (CocoImage img : CocoCaptionsReader.readImages(json, imageRoot, ReadOptions.DEFAULT)) {
            refs.add(new ImageRef(img.id(), img.file()));
        }
        return refs;
    }

    /** The distinct images of a VQA questions file, named as {@link VqaReader} names them. */
    public static List<ImageRef> fromVqaQuestions(Path json, Path imageRoot) {
        return fromVqaQuestions(json, imageRoot, null);
    }

    /**
     * As {@link #fromVqaQuestions(Path, Path)}, asking {@code exists} which conventional file name
     * (relative to the image root) is there, for image folders on other file systems.
     */
    public static List<ImageRef> fromVqaQuestions(Path json, Path imageRoot, java.util.function.Predicate<String> exists) {
        List<ImageRef> refs = new ArrayList<>();
        for (VqaImage img : VqaReader.read(json, null, imageRoot, null, ReadOptions.DEFAULT, exists).images()) {
            refs.add(new ImageRef(img.id(), img.file()));
        }
        return refs;
    }
}
