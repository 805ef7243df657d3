package dev.glimpse.vqa.net;

import dev.glimpse.common.nn.Dropout;
import dev.glimpse.common.nn.Embedding;
import dev.glimpse.common.nn.Linear;
import dev.glimpse.common.nn.Lstm;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Packing;
import dev.glimpse.common.nn.Params;
import dev.glimpse.common.nn.SoftmaxCrossEntropy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The VQA model core (a "deeper LSTM Q + norm I" baseline):
 * <pre>
 *   q   = tanh(Wq h_last + bq)        h_last: top LSTM layer's hidden state at each question's last token
 *   v   = tanh(Wi (x / |x|_2) + bi)   x: image feature [F]
 *   p   = softmax(Wo dropout(q * v) + bo)   over answers
 *   loss = mean over the batch of -sum_a target_a log p_a
 * </pre>
 * Questions run through embedding -> lstmLayers x LSTM as a packed, time-major batch: sorted by length
 * (longest first), each step only the rows still active, so no work is spent on padding.
 * Gradients land in {@link #params()}' flat gradient buffer; the caller zeroes them, clips and steps Adam.
 * Not thread-safe (layers keep per-batch caches).
 */
public final class VqaNet {
    /**
     * Up to this batch size inference runs the LSTM's fused path ({@link Lstm#infer}: one recurrent GEMM per
     * step, strided gate views); above it the training path with contiguous gates is cheaper (measured: batch 1
     * 2x faster fused, batch 128 ~20% slower fused).
     */
    private static final int FUSED_LSTM_MAX_BATCH = 16;
    private final VqaNetConfig cfg;
    private final Params params;
    private final Embedding embedding;
    private final Lstm[] lstm;
    private final Linear question;
    private final Linear image;
    private final Linear output;
    private final Dropout dropout;

    public VqaNet(VqaNetConfig cfg, long seed) {
        this(cfg, seed, DataType.FLOAT);
    }

    /** DOUBLE is for gradient checks. */
    public VqaNet(VqaNetConfig cfg, long seed, DataType dataType) {
        this.cfg = cfg;
        Params.Builder b = Params.builder().dataType(dataType);
        Embedding.declare(b, "emb", cfg.questionVocab(), cfg.embedDim());
        for (int l = 0; l < cfg.lstmLayers(); l++) {
            Lstm.declare(b, "lstm" + l, l == 0 ? cfg.embedDim() : cfg.hiddenDim(), cfg.hiddenDim());
        }
        Linear.declare(b, "q", cfg.hiddenDim(), cfg.fusedDim(), true);
        Linear.declare(b, "img", cfg.featureDim(), cfg.fusedDim(), true);
        Linear.declare(b, "out", cfg.fusedDim(), cfg.answers(), true);
        this.params = b.build(seed);
        this.embedding = new Embedding(params, "emb");
        this.lstm = new Lstm[cfg.lstmLayers()];
        for (int l = 0; l < lstm.length; l++) {
            lstm[l] = new Lstm(params, "lstm" + l);
        }
        this.question = new Linear(params, "q");
        this.image = new Linear(params, "img");
        this.output = new Linear(params, "out");
        this.dropout = new Dropout(cfg.dropout(), seed ^ 0x5DEECE66DL);
    }

    public VqaNetConfig config() {
        return cfg;
    }

    public Params params() {
        return params;
    }

    /**
     * Forward + backward of one batch: image [B, F], questions (ragged token ids, each length >= 1),
     * targets [B, A] (rows are answer distributions). Adds the gradient of the mean loss to the params'
     * gradients and returns the mean loss.
     */
    public double trainStep(INDArray image, int[][] questions, INDArray targets, boolean useDropout) {
        Forward f = forward(image, questions, useDropout, true);
        int batch = questions.length;
        INDArray target = sorted(targets, f.order); // [B, A]
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, target, 1.0 / batch) / batch;
        backward(f, false);
        return loss;
    }

    /** A training step's mean loss and its gradient for the image features [B, F], rows in question order. */
    public record FeatureStep(double loss, INDArray dImage) {}

    /** As {@link #trainStep}, and also returns d(mean loss)/d(image features) for a fine-tuned encoder. */
    public FeatureStep trainStepWithFeatureGradients(INDArray image, int[][] questions, INDArray targets, boolean useDropout) {
        Forward f = forward(image, questions, useDropout, true);
        int batch = questions.length;
        INDArray target = sorted(targets, f.order); // [B, A]
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, target, 1.0 / batch) / batch;
        INDArray dSorted = backward(f, true); // [B, F] sorted order
        if (f.order == null) {
            return new FeatureStep(loss, dSorted);
        }
        int[] inverse = new int[f.order.length];
        for (int b = 0; b < inverse.length; b++) {
            inverse[f.order[b]] = b;
        }
        return new FeatureStep(loss, Nd4j.pullRows(dSorted, 1, inverse, 'c'));
    }

    /** Mean loss without gradients and without dropout. */
    public double loss(INDArray image, int[][] questions, INDArray targets) {
        Forward f = forward(image, questions, false, false);
        return SoftmaxCrossEntropy.loss(f.logits, sorted(targets, f.order)) / questions.length;
    }

    /** Answer probabilities [B, A], rows in the order of the questions given. */
    public INDArray predict(INDArray image, int[][] questions) {
        Forward f = forward(image, questions, false, false);
        Ops.softmaxRowsi(f.logits);
        if (f.order == null) {
            return f.logits;
        }
        int[] inverse = new int[f.order.length];
        for (int b = 0; b < inverse.length; b++) {
            inverse[f.order[b]] = b;
        }
        return Nd4j.pullRows(f.logits, 1, inverse); // [B, A]
    }

    /** Everything backward needs; rows are in length-sorted order. */
    private record Forward(int[] order, Packing packing, int[] ids, INDArray top, INDArray last, INDArray q,
                           INDArray imageNorm, INDArray norms, INDArray v, INDArray fused, INDArray logits) {}

    /** {@code backward}: keep what {@link #backward} needs (the LSTM's training path); otherwise the cheaper inference path. */
    private Forward forward(INDArray imageIn, int[][] questions, boolean training, boolean backward) {
        int batch = questions.length;
        if (batch == 0 || imageIn.rank() != 2 || imageIn.size(0) != batch || imageIn.size(1) != cfg.featureDim()) {
            throw new IllegalArgumentException("image " + imageIn.shapeInfoToString() + " for " + batch
                    + " questions, feature size " + cfg.featureDim());
        }
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = questions[b].length;
            if (lengths[b] == 0) {
                throw new IllegalArgumentException("question " + b + " is empty");
            }
        }
        int[] order = batch == 1 ? null : Packing.orderByLengthDesc(lengths);
        int[] sortedLengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            sortedLengths[b] = lengths[order == null ? b : order[b]];
        }
        Packing packing = Packing.ofLengths(sortedLengths);
        int[] ids = new int[packing.rows()];
        for (int t = 0; t < packing.steps(); t++) {
            for (int b = 0; b < packing.batchSize(t); b++) {
                ids[packing.row(t, b)] = questions[order == null ? b : order[b]][t];
            }
        }
        INDArray h = embedding.forward(ids);                                  // [N, E]
        for (Lstm layer : lstm) {
            h = backward || batch > FUSED_LSTM_MAX_BATCH ? layer.forward(h, packing, null, null) : layer.infer(h, packing); // [N, H]
        }
        INDArray last = Nd4j.pullRows(h, 1, packing.lastRows());              // [B, H]
        INDArray q = Ops.tanhi(question.forward(last));                       // [B, D]
        INDArray img = sorted(imageIn, order);                                // [B, F]
        if (img == imageIn) {
            img = imageIn.dup();
        }
        INDArray norms = img.norm2(true, 1);                                  // [B, 1]
        Transforms.max(norms, 1e-12, false);                                  // no division by 0 for an all-zero feature
        img.diviColumnVector(norms);
        INDArray v = Ops.tanhi(image.forward(img));                           // [B, D]
        INDArray fused = dropout.forward(q.mul(v), training);                 // [B, D]
        INDArray logits = output.forward(fused);                              // [B, A]
        return new Forward(order, packing, ids, h, last, q, img, norms, v, fused, logits);
    }

    /** Expects f.logits to hold dL/dlogits. */
    private INDArray backward(Forward f, boolean imageGrad) {
        INDArray dFused = output.backward(f.fused, f.logits);                 // [B, D]
        dropout.backward(dFused);
        INDArray dq = dFused.mul(f.v);                                        // [B, D]
        INDArray dv = dFused.muli(f.q);                                       // [B, D]
        Ops.tanhBackwardi(f.q, dq);
        Ops.tanhBackwardi(f.v, dv);
        INDArray dImage = null;
        if (imageGrad) {
            // u = x / |x|: dx = (du - u (u . du)) / |x|.
            INDArray du = image.backward(f.imageNorm, dv); // [B, F]
            INDArray dot = du.mul(f.imageNorm).sum(true, 1); // [B, 1]
            dImage = du.subi(f.imageNorm.mulColumnVector(dot)).diviColumnVector(f.norms);
        } else {
            image.backward(f.imageNorm, dv, null, false);
        }
        INDArray dLast = question.backward(f.last, dq);                       // [B, H]
        INDArray dTop = Nd4j.zeros(params.dataType(), f.packing.rows(), cfg.hiddenDim()); // [N, H]
        Ops.scatterAddRows(dTop, f.packing.lastRows(), dLast);
        INDArray d = dTop;
        for (int l = lstm.length - 1; l >= 0; l--) {
            d = lstm[l].backward(d, null, null, true);                        // [N, in_l]
        }
        embedding.backward(f.ids, d);
        return dImage;
    }

    /** Rows of x in the given order (cast to the params' type), or x itself when there is nothing to reorder. */
    private INDArray sorted(INDArray x, int[] order) {
        INDArray y = order == null ? x : Nd4j.pullRows(x, 1, order);
        return y.dataType() == params.dataType() ? y : y.castTo(params.dataType());
    }
}
