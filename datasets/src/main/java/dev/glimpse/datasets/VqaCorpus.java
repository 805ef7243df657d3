package dev.glimpse.datasets;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * VQA questions (joined with annotations when given) and the distinct images they ask about.
 *
 * @param images       distinct image ids in order of first question
 * @param missingFiles image files that do not exist on disk
 */
public record VqaCorpus(List<VqaQuestion> questions, List<VqaImage> images, List<Path> missingFiles) {
    public VqaCorpus {
        questions = List.copyOf(questions);
        images = List.copyOf(images);
        missingFiles = List.copyOf(missingFiles);
    }

    public Map<Long, VqaImage> imagesById() {
        Map<Long, VqaImage> out = new HashMap<>(images.size() * 2);
        for (VqaImage img : images) {
            out.put(img.id(), img);
        }
        return out;
    }
}
