package dev.glimpse.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A COCO-style captions file: images and captions in file order.
 *
 * @param missingFiles image files referenced by {@code images} that do not exist on disk
 */
public record CaptionCorpus(List<CocoImage> images, List<CocoCaption> captions, List<Path> missingFiles) {
    public CaptionCorpus {
        images = List.copyOf(images);
        captions = List.copyOf(captions);
        missingFiles = List.copyOf(missingFiles);
    }

    /** Captions grouped by image id, images in file order; images without captions map to an empty list. */
    public Map<Long, List<CocoCaption>> captionsByImage() {
        Map<Long, List<CocoCaption>> out = new LinkedHashMap<>();
        for (CocoImage img : images) {
            out.put(img.id(), new ArrayList<>(5));
        }
        for (CocoCaption c : captions) {
            out.get(c.imageId()).add(c);
        }
        return out;
    }

    /** Image by id. */
    public Map<Long, CocoImage> imagesById() {
        Map<Long, CocoImage> out = new HashMap<>(images.size() * 2);
        for (CocoImage img : images) {
            out.put(img.id(), img);
        }
        return out;
    }

    /** Images whose file exists on disk, in file order. */
    public List<CocoImage> presentImages() {
        if (missingFiles.isEmpty()) {
            return images;
        }
        java.util.Set<Path> missing = new java.util.HashSet<>(missingFiles);
        return images.stream().filter(i -> !missing.contains(i.file())).toList();
    }
}
