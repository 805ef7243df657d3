package dev.glimpse.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * One image of a Karpathy split file ({@code dataset_coco.json}, {@code dataset_flickr8k.json}).
 *
 * @param id       the COCO id when the file has {@code cocoid}, otherwise {@code imgid}; this is
 *                 the id to join with COCO files and feature caches
 * @param imgId    the split file's own running index
 * @param cocoId   null for Flickr files
 * @param split    one of {@code train}, {@code val}, {@code test}, {@code restval}
 * @param filepath folder under the image root ({@code val2014}); null for Flickr files
 * @param file     {@code imageRoot/filepath/filename} (or {@code imageRoot/filename})
 */
public record KarpathyImage(long id, long imgId, Long cocoId, String split, String filepath, String filename,
                            Path file, List<KarpathySentence> sentences) {
    public KarpathyImage {
        sentences = List.copyOf(sentences);
    }
}
