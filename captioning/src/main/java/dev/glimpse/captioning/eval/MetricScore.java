package dev.glimpse.captioning.eval;

/**
 * One metric over a set of images: the corpus score and the per-image scores in image order,
 * both on coco-caption's scale (0-1 for BLEU, METEOR and ROUGE-L; CIDEr-D ranges 0-10).
 */
public record MetricScore(String name, double corpus, double[] perImage) {
    public MetricScore {
        perImage = perImage.clone();
    }

    @Override
    public double[] perImage() {
        return perImage.clone();
    }

    public double image(int index) {
        return perImage[index];
    }

    public int size() {
        return perImage.length;
    }
}
