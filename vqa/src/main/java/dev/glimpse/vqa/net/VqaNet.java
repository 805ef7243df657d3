package dev.glimpse.vqa.net;

import dev.glimpse.common.nn.DotProductAttention;
import dev.glimpse.common.nn.Dropout;
import dev.glimpse.common.nn.Embedding;
import dev.glimpse.common.nn.Linear;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Packing;
import dev.glimpse.common.nn.Params;
import dev.glimpse.common.nn.RecurrentLayer;
import dev.glimpse.common.nn.SoftmaxCrossEntropy;
import dev.glimpse.common.nn.Views;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The VQA model core (a "deeper LSTM Q + norm I" baseline):
 * <pre>
 *   q   = tanh(Wq h_last + bq)        h_last: top recurrent layer's hidden state at each question's last token
 *   v   = tanh(Wi (s x / |x|_2) + bi [+ Wc (c_1 .. c_K)])   x: image feature [F], s: {@link VqaNetConfig#imageScale()}
 *   c_k = sum_r softmax_r(q_k . key_k(g_r)) value_k(g_r)    glimpse k over the grid cells g_r (each with its
 *         position appended), queried by h_last; only when {@link VqaNetConfig#glimpses()} > 0
 *   p   = softmax(Wo dropout(q * v) + bo)   over answers
 *   loss = mean over the batch of -sum_a target_a log p_a
 * </pre>
 * Questions run through embedding -> lstmLayers x cell (LSTM, GRU or plain RNN, {@link VqaNetConfig#cell()}) as a packed, time-major batch: sorted by length
 * (longest first), each step only the rows still active, so no work is spent on padding.
 * Gradients land in {@link #params()}' flat gradient buffer; the caller zeroes them, clips and steps Adam.
 * The glimpses are what lets an answer bind a colour to a shape or place two objects: the pooled vector is a mean
 * over the grid, in which one object's colour and another's shape mix. Keys and values are projected once per
 * distinct image of a batch ({@link Grids}), not once per question.
 * Not thread-safe (layers keep per-batch caches).
 */
public final class VqaNet {
    /**
     * Up to this batch size inference runs the layers' fused path ({@link RecurrentLayer#infer}: one recurrent GEMM per
     * step, strided gate views); above it the training path with contiguous gates is cheaper (measured: batch 1
     * 2x faster fused, batch 128 ~20% slower fused).
     */
    private static final int FUSED_LSTM_MAX_BATCH = 16;
    private final VqaNetConfig cfg;
    private boolean imageGrad; // the current step also computes d(loss)/d(image features)
    private INDArray lastImageGrad; // [B, F] packed order
    private INDArray lastGridGrad;  // [U, R, C]
    private final Params params;
    private final Embedding embedding;
    private final RecurrentLayer[] rnn;
    private final Linear question;
    private final Linear image;
    private final Linear output;
    private final Dropout dropout;
    private final DotProductAttention[] glimpse; // null: the pooled-vector baseline
    private final Linear context;                // glimpse contexts -> fused space; null without glimpses
    private final double[] positions;            // [R * 2] each cell's centre, x and y in [-1, 1]
    private boolean recordGradNorms;
    private double[] lastStepGradNorms;

    public VqaNet(VqaNetConfig cfg, long seed) {
        this(cfg, seed, DataType.FLOAT);
    }

    /** DOUBLE is for gradient checks. */
    public VqaNet(VqaNetConfig cfg, long seed, DataType dataType) {
        this.cfg = cfg;
        Params.Builder b = Params.builder().dataType(dataType);
        Embedding.declare(b, "emb", cfg.questionVocab(), cfg.embedDim());
        for (int l = 0; l < cfg.lstmLayers(); l++) {
            cfg.cell().declare(b, cfg.cell().layerName(l), l == 0 ? cfg.embedDim() : cfg.hiddenDim(), cfg.hiddenDim());
        }
        Linear.declare(b, "q", cfg.hiddenDim(), cfg.fusedDim(), true);
        Linear.declare(b, "img", cfg.featureDim(), cfg.fusedDim(), true);
        Linear.declare(b, "out", cfg.fusedDim(), cfg.answers(), true);
        for (int k = 0; k < cfg.glimpses(); k++) {
            DotProductAttention.declare(b, "att" + k, cfg.gridDim() + VqaNetConfig.POSITION_CHANNELS, cfg.hiddenDim(),
                    cfg.attentionDim());
        }
        if (cfg.attends()) {
            Linear.declare(b, "ctx", cfg.glimpses() * cfg.attentionDim(), cfg.fusedDim(), false);
        }
        this.params = b.build(seed);
        this.embedding = new Embedding(params, "emb");
        this.rnn = new RecurrentLayer[cfg.lstmLayers()];
        for (int l = 0; l < rnn.length; l++) {
            rnn[l] = cfg.cell().create(params, cfg.cell().layerName(l));
        }
        this.question = new Linear(params, "q");
        this.image = new Linear(params, "img");
        this.output = new Linear(params, "out");
        this.dropout = new Dropout(cfg.dropout(), seed ^ 0x5DEECE66DL);
        if (cfg.attends()) {
            this.glimpse = new DotProductAttention[cfg.glimpses()];
            for (int k = 0; k < glimpse.length; k++) {
                glimpse[k] = new DotProductAttention(params, "att" + k);
            }
            this.context = new Linear(params, "ctx");
            int rows = cfg.gridRows();
            int cols = cfg.gridCols();
            double[] xy = new double[rows * cols * 2];
            for (int r = 0; r < rows * cols; r++) {
                xy[2 * r] = (2.0 * (r % cols) + 1) / cols - 1;
                xy[2 * r + 1] = (2.0 * (r / cols) + 1) / rows - 1;
            }
            this.positions = xy;
        } else {
            this.glimpse = null;
            this.context = null;
            this.positions = null;
        }
    }

    /**
     * The grids a batch's glimpses read: {@code grids} [U, R, C] standardised, one per distinct image, and for each
     * question the row of its image in them.
     */
    public record Grids(INDArray grids, int[] imageOf) {
        public Grids {
            for (int i : imageOf) {
                if (i < 0 || i >= grids.size(0)) {
                    throw new IllegalArgumentException("image row " + i + " outside " + grids.size(0) + " grids");
                }
            }
        }

        /** One grid per question, in question order. */
        public static Grids perQuestion(INDArray grids) {
            int[] rows = new int[(int) grids.size(0)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i;
            }
            return new Grids(grids, rows);
        }
    }

    public VqaNetConfig config() {
        return cfg;
    }

    public Params params() {
        return params;
    }

    /** Where the dropout generator stands, for checkpoints: a resumed run then draws the masks an uninterrupted one would. */
    public long[] dropoutPositions() {
        return new long[] {dropout.position()};
    }

    public void dropoutPositions(long[] positions) {
        if (positions.length != 1) {
            throw new IllegalArgumentException(positions.length + " dropout positions for 1 dropout layer");
        }
        dropout.position(positions[0]);
    }

    /**
     * Forward + backward of one batch: image [B, F], questions (ragged token ids, each length >= 1),
     * targets [B, A] (rows are answer distributions). Adds the gradient of the mean loss to the params'
     * gradients and returns the mean loss.
     */
    public double trainStep(INDArray image, int[][] questions, INDArray targets, boolean useDropout) {
        return trainStep(image, questions, targets, useDropout, 0);
    }

    /**
     * A training step's mean loss and its gradients for the image features [B, F], rows in question order, and for
     * the grids [U, R, C] (rows as given; null without glimpses).
     */
    public record FeatureStep(double loss, INDArray dImage, INDArray dGrids) {}

    /** As {@link #trainStep} (full BPTT), and also returns d(mean loss)/d(image features) for a fine-tuned encoder. */
    public FeatureStep trainStepWithFeatureGradients(INDArray image, int[][] questions, INDArray targets, boolean useDropout) {
        return trainStepWithFeatureGradients(image, null, questions, targets, useDropout);
    }

    /** As {@link #trainStepWithFeatureGradients(INDArray, int[][], INDArray, boolean)} for a network with glimpses. */
    public FeatureStep trainStepWithFeatureGradients(INDArray image, Grids grids, int[][] questions, INDArray targets,
                                                     boolean useDropout) {
        imageGrad = true;
        try {
            rnn[0].recordStepGradNorms(recordGradNorms);
            Forward f = forward(image, grids, questions, useDropout, true);
            int batch = questions.length;
            INDArray target = sorted(targets, f.order); // [B, A]
            double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, target, 1.0 / batch) / batch;
            backward(f);
            lastStepGradNorms = recordGradNorms ? rnn[0].stepGradNorms() : null;
            if (f.order == null) {
                return new FeatureStep(loss, lastImageGrad, lastGridGrad);
            }
            int[] inverse = new int[f.order.length];
            for (int b = 0; b < inverse.length; b++) {
                inverse[f.order[b]] = b;
            }
            return new FeatureStep(loss, Nd4j.pullRows(lastImageGrad, 1, inverse, 'c'), lastGridGrad);
        } finally {
            imageGrad = false;
            lastImageGrad = null;
            lastGridGrad = null;
        }
    }

    /**
     * {@link #trainStep(INDArray, int[][], INDArray, boolean)} with truncated BPTT: the question steps run in
     * chunks of {@code tbptt} (0 = one chunk, full BPTT), each starting from the state the previous chunk ended
     * in, so the forward pass and the loss are unchanged; the loss gradient at a question's last step flows back
     * only within the chunk holding that step. The chunks run forward once to reach the answer layers (keeping
     * only each chunk's starting state), then again one at a time for backward: the layers' caches hold one
     * chunk's rows, bounded by {@code tbptt}, not by the question length.
     */
    public double trainStep(INDArray image, int[][] questions, INDArray targets, boolean useDropout, int tbptt) {
        return trainStep(image, null, questions, targets, useDropout, tbptt);
    }

    /** As {@link #trainStep(INDArray, int[][], INDArray, boolean, int)} with the grids the glimpses read (null without). */
    public double trainStep(INDArray image, Grids grids, int[][] questions, INDArray targets, boolean useDropout, int tbptt) {
        if (tbptt < 0) {
            throw new IllegalArgumentException("tbptt must be >= 0, got " + tbptt);
        }
        int longest = 0;
        for (int[] q : questions) {
            longest = Math.max(longest, q.length);
        }
        if (tbptt > 0 && tbptt < longest) {
            return truncatedStep(image, grids, questions, targets, useDropout, tbptt);
        }
        rnn[0].recordStepGradNorms(recordGradNorms);
        Forward f = forward(image, grids, questions, useDropout, true);
        int batch = questions.length;
        INDArray target = sorted(targets, f.order); // [B, A]
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, target, 1.0 / batch) / batch;
        backward(f);
        lastStepGradNorms = recordGradNorms ? rnn[0].stepGradNorms() : null;
        return loss;
    }

    /** Whether training steps record |dLoss/dh_t| per question step t of the first recurrent layer ({@link #lastStepGradNorms}). */
    public void recordGradNorms(boolean on) {
        recordGradNorms = on;
    }

    /** Per-step root mean square over the questions of |dLoss/dh_t| of the last recorded step, or null. */
    public double[] lastStepGradNorms() {
        return lastStepGradNorms;
    }

    /** Rows the recurrent layers' training caches hold now (their largest). */
    int trainingCapacityRows() {
        int rows = 0;
        for (RecurrentLayer layer : rnn) {
            rows = Math.max(rows, layer.trainingCapacityRows());
        }
        return rows;
    }

    private double truncatedStep(INDArray imageIn, Grids grids, int[][] questions, INDArray targets, boolean useDropout, int k) {
        Encoded e = encode(imageIn, grids, questions);
        Packing all = e.packing;
        int steps = all.steps();
        int batch = questions.length;
        INDArray x = embedding.forward(e.ids);                                // [N, E]
        INDArray last = Nd4j.create(params.dataType(), batch, cfg.hiddenDim()); // [B, H]
        java.util.List<INDArray[][]> starts = new java.util.ArrayList<>();    // per chunk {h0, c0} per layer
        INDArray[] h0 = null;
        INDArray[] c0 = null;
        for (int t0 = 0; t0 < steps; t0 += k) {
            int t1 = Math.min(steps, t0 + k);
            starts.add(new INDArray[][] {h0, c0});
            INDArray[] h1 = t1 < steps ? new INDArray[rnn.length] : null;
            INDArray[] c1 = t1 < steps ? new INDArray[rnn.length] : null;
            INDArray top = chunkForward(x, all, t0, t1, h0, c0, h1, c1);      // [rows, H]
            int rowFrom = all.offset(t0);
            for (int b = 0; b < all.batchSize(t0); b++) {
                int lastRow = all.lastRow(b);
                if (all.length(b) - 1 < t1) {
                    last.putRow(b, top.getRow(lastRow - rowFrom));
                }
            }
            h0 = h1;
            c0 = c1;
        }
        Forward f = head(e, null, last, useDropout);
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits(), sorted(targets, f.order()), 1.0 / batch) / batch;
        INDArray dLast = headBackward(f);                                     // [B, H]
        double[] norms = recordGradNorms ? new double[steps] : null;
        rnn[0].recordStepGradNorms(norms != null);
        int chunk = 0;
        for (int t0 = 0; t0 < steps; t0 += k, chunk++) {
            int t1 = Math.min(steps, t0 + k);
            INDArray[][] start = starts.get(chunk);
            INDArray top = chunkForward(x, all, t0, t1, start[0], start[1], null, null);
            int rowFrom = all.offset(t0);
            INDArray dTop = Nd4j.zeros(params.dataType(), top.size(0), cfg.hiddenDim()); // [rows, H]
            for (int b = 0; b < all.batchSize(t0); b++) {
                if (all.length(b) - 1 < t1) {
                    dTop.putRow(all.lastRow(b) - rowFrom, dLast.getRow(b));
                }
            }
            INDArray d = dTop;
            for (int l = rnn.length - 1; l >= 0; l--) {
                d = rnn[l].backward(d, null, null, true);                     // [rows, in_l]
            }
            embedding.backward(java.util.Arrays.copyOfRange(e.ids, rowFrom, rowFrom + (int) top.size(0)), d);
            if (norms != null) {
                double[] n = rnn[0].stepGradNorms();
                System.arraycopy(n, 0, norms, t0, n.length);
            }
        }
        lastStepGradNorms = norms;
        return loss;
    }

    /** Layers over steps [t0, t1) of x from state h0/c0 (null = zeros); fresh copies of the end state into h1/c1 when given. */
    private INDArray chunkForward(INDArray x, Packing all, int t0, int t1, INDArray[] h0, INDArray[] c0,
                                  INDArray[] h1, INDArray[] c1) {
        int rowFrom = all.offset(t0);
        int rowTo = t1 < all.steps() ? all.offset(t1) : all.rows();
        int[] lengths = new int[all.batchSize(t0)];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = Math.min(all.length(b), t1) - t0;
        }
        Packing chunk = Packing.ofLengths(lengths);
        INDArray h = Views.rows(x, rowFrom, rowTo);                           // [rows, E]
        int next = h1 == null ? 0 : all.batchSize(t1);
        for (int l = 0; l < rnn.length; l++) {
            h = rnn[l].forward(h, chunk, h0 == null ? null : h0[l], c0 == null ? null : c0[l]); // [rows, H]
            if (h1 != null) {
                h1[l] = Nd4j.create(params.dataType(), next, cfg.hiddenDim());
                c1[l] = cfg.cell().hasCell() ? Nd4j.create(params.dataType(), next, cfg.hiddenDim()) : null;
                rnn[l].copyLastState(next, h1[l], c1[l]);
            }
        }
        return h;
    }

    /** Mean loss without gradients and without dropout. */
    public double loss(INDArray image, int[][] questions, INDArray targets) {
        return loss(image, null, questions, targets);
    }

    /** Mean loss without gradients and without dropout, with the grids the glimpses read (null without). */
    public double loss(INDArray image, Grids grids, int[][] questions, INDArray targets) {
        Forward f = forward(image, grids, questions, false, false);
        if (f.glimpses != null) {
            f.glimpses.release();
        }
        return SoftmaxCrossEntropy.loss(f.logits, sorted(targets, f.order)) / questions.length;
    }

    /** Answer probabilities [B, A], rows in the order of the questions given. */
    public INDArray predict(INDArray image, int[][] questions) {
        return predict(image, null, questions);
    }

    /** Answer probabilities [B, A] with the grids the glimpses read (null without), rows in question order. */
    public INDArray predict(INDArray image, Grids grids, int[][] questions) {
        Forward f = forward(image, grids, questions, false, false);
        if (f.glimpses != null) {
            f.glimpses.release();
        }
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
                           INDArray imageNorm, INDArray norms, INDArray v, INDArray fused, INDArray logits, Glimpses glimpses) {}

    /** The glimpses of one forward pass: the grids with positions [U, R, C+2], per glimpse its pass, their contexts [B, K*A]. */
    private record Glimpses(INDArray grids, INDArray mask, DotProductAttention.Pass[] passes, INDArray contexts) {
        /** Frees the pass's arrays now: off-heap garbage left to the collector makes later allocations stall. */
        void release() {
            for (DotProductAttention.Pass p : passes) {
                DotProductAttention.release(p);
            }
            grids.close();
            mask.close();
            contexts.close();
        }
    }

    /**
     * A batch's questions packed: length-sorted order (null for one question), packing, token ids per row; the
     * grids with positions [U, R, C+2] and each sorted question's grid row, when the network has glimpses.
     */
    private record Encoded(INDArray image, int[] order, Packing packing, int[] ids, INDArray grids, int[] imageOf) {}

    private Encoded encode(INDArray imageIn, Grids grids, int[][] questions) {
        int batch = questions.length;
        if (batch == 0 || imageIn.rank() != 2 || imageIn.size(0) != batch || imageIn.size(1) != cfg.featureDim()) {
            throw new IllegalArgumentException("image " + imageIn.shapeInfoToString() + " for " + batch
                    + " questions, feature size " + cfg.featureDim());
        }
        if (cfg.attends() != (grids != null)) {
            throw new IllegalArgumentException(cfg.attends() ? "a network with glimpses needs the image grids" : "grids for a network without glimpses");
        }
        int regions = cfg.gridRows() * cfg.gridCols();
        if (grids != null && (grids.grids().rank() != 3 || grids.grids().size(1) != regions
                || grids.grids().size(2) != cfg.gridDim() || grids.imageOf().length != batch)) {
            throw new IllegalArgumentException("grids " + grids.grids().shapeInfoToString() + " with " + grids.imageOf().length
                    + " image rows for " + batch + " questions, grid " + regions + " x " + cfg.gridDim());
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
        if (grids == null) {
            return new Encoded(imageIn, order, packing, ids, null, null);
        }
        int[] imageOf = new int[batch];
        for (int b = 0; b < batch; b++) {
            imageOf[b] = grids.imageOf()[order == null ? b : order[b]];
        }
        INDArray withPositions = withPositions(grids.grids());                // [U, R, C+2]
        return new Encoded(imageIn, order, packing, ids, withPositions, imageOf);
    }

    /** {@code backward}: keep what {@link #backward} needs (the layers' training path); otherwise the cheaper inference path. */
    private Forward forward(INDArray imageIn, Grids grids, int[][] questions, boolean training, boolean backward) {
        Encoded e = encode(imageIn, grids, questions);
        Packing packing = e.packing;
        INDArray h = embedding.forward(e.ids);                                // [N, E]
        for (RecurrentLayer layer : rnn) {
            h = backward || questions.length > FUSED_LSTM_MAX_BATCH ? layer.forward(h, packing, null, null) : layer.infer(h, packing); // [N, H]
        }
        INDArray last = Nd4j.pullRows(h, 1, packing.lastRows());              // [B, H]
        return head(e, h, last, training);
    }

    /** The answer layers on the questions' last hidden states (packed order). */
    private Forward head(Encoded e, INDArray top, INDArray last, boolean training) {
        INDArray q = Ops.tanhi(question.forward(last));                       // [B, D]
        INDArray img = sorted(e.image, e.order);                              // [B, F]
        if (img == e.image) {
            img = e.image.dup();
        }
        INDArray norms = img.norm2(true, 1);                                  // [B, 1]
        Transforms.max(norms, 1e-12, false);                                  // no division by 0 for an all-zero feature
        img.diviColumnVector(norms.div(cfg.imageScale()));                   // s x / |x|
        INDArray pre = image.forward(img);                                    // [B, D]
        Glimpses g = e.grids == null ? null : glimpses(e, last);
        if (g != null) {
            context.forward(g.contexts, pre, true);
        }
        INDArray v = Ops.tanhi(pre);                                          // [B, D]
        INDArray fused = dropout.forward(q.mul(v), training);                 // [B, D]
        INDArray logits = output.forward(fused);                              // [B, A]
        return new Forward(e.order, e.packing, e.ids, top, last, q, img, norms, v, fused, logits, g);
    }

    /** The grids with each cell's position appended, built in one pass over plain arrays (ND4J's strided assigns cost more). */
    private INDArray withPositions(INDArray grids) {
        int u = (int) grids.size(0);
        int regions = (int) grids.size(1);
        int c = cfg.gridDim();
        int cp = c + VqaNetConfig.POSITION_CHANNELS;
        double[] xy = positions;
        if (params.dataType() == DataType.DOUBLE) {
            double[] g = grids.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            double[] out = new double[u * regions * cp];
            for (int cell = 0; cell < u * regions; cell++) {
                System.arraycopy(g, cell * c, out, cell * cp, c);
                out[cell * cp + c] = xy[2 * (cell % regions)];
                out[cell * cp + c + 1] = xy[2 * (cell % regions) + 1];
            }
            return Nd4j.create(out, new long[] {u, regions, cp}, DataType.DOUBLE);
        }
        float[] g = grids.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[u * regions * cp];
        for (int cell = 0; cell < u * regions; cell++) {
            System.arraycopy(g, cell * c, out, cell * cp, c);
            out[cell * cp + c] = (float) xy[2 * (cell % regions)];
            out[cell * cp + c + 1] = (float) xy[2 * (cell % regions) + 1];
        }
        return Nd4j.create(out, new long[] {u, regions, cp}, DataType.FLOAT);
    }

    /**
     * Every glimpse of the questions' last hidden states over their images' grids. All questions of the batch query
     * one memory of every distinct image's cells [1, U*R, C+2] (projected once), each shut out of the other images'
     * cells by a mask: plain 2-D products, and no copy of an image's keys per question.
     */
    private Glimpses glimpses(Encoded e, INDArray last) {
        int batch = (int) last.size(0);
        int a = cfg.attentionDim();
        long cells = e.grids.size(0) * e.grids.size(1);
        INDArray memoryCells = e.grids.reshape('c', 1, cells, e.grids.size(2));           // [1, U*R, C+2]
        INDArray query = last.dup('c').reshape(1, batch, cfg.hiddenDim());                  // [1, B, H]
        INDArray mask = otherImagesMask(e.imageOf, (int) e.grids.size(0), (int) e.grids.size(1)); // [1, B, U*R]
        DotProductAttention.Pass[] passes = new DotProductAttention.Pass[glimpse.length];
        INDArray contexts = Nd4j.create(params.dataType(), batch, (long) glimpse.length * a); // [B, K*A]
        for (int k = 0; k < glimpse.length; k++) {
            passes[k] = glimpse[k].forward(glimpse[k].memory(memoryCells), query, mask);
            contexts.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * a, (long) (k + 1) * a))
                    .assign(passes[k].context().reshape(batch, a));
        }
        return new Glimpses(e.grids, mask, passes, contexts);
    }

    /** 0 over each question's own image's cells, -1e9 elsewhere (exp underflows to exactly 0 in float and double). */
    private INDArray otherImagesMask(int[] imageOf, int images, int regions) {
        int cells = images * regions;
        if (params.dataType() == DataType.DOUBLE) {
            double[] m = new double[imageOf.length * cells];
            java.util.Arrays.fill(m, -1e9);
            for (int b = 0; b < imageOf.length; b++) {
                java.util.Arrays.fill(m, b * cells + imageOf[b] * regions, b * cells + (imageOf[b] + 1) * regions, 0.0);
            }
            return Nd4j.create(m, new long[] {1, imageOf.length, cells}, DataType.DOUBLE);
        }
        float[] m = new float[imageOf.length * cells];
        java.util.Arrays.fill(m, -1e9f);
        for (int b = 0; b < imageOf.length; b++) {
            java.util.Arrays.fill(m, b * cells + imageOf[b] * regions, b * cells + (imageOf[b] + 1) * regions, 0f);
        }
        return Nd4j.create(m, new long[] {1, imageOf.length, cells}, DataType.FLOAT);
    }

    /** Back through the glimpses from d(pre-activation of v) [B, D]: returns their part of dLoss/dh_last [B, H]. */
    private INDArray glimpsesBackward(Glimpses g, INDArray dPre) {
        int batch = (int) dPre.size(0);
        int a = cfg.attentionDim();
        INDArray dContexts = context.backward(g.contexts, dPre);              // [B, K*A]
        INDArray dGrids = imageGrad ? Nd4j.zeros(params.dataType(), g.grids.shape()) : null; // [U, R, C+2]
        INDArray dMemory = dGrids == null ? null : dGrids.reshape('c', 1, g.grids.size(0) * g.grids.size(1), g.grids.size(2));
        INDArray dLast = Nd4j.zeros(params.dataType(), batch, cfg.hiddenDim()); // [B, H]
        for (int k = 0; k < glimpse.length; k++) {
            INDArray dCtx = dContexts.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * a, (long) (k + 1) * a))
                    .dup('c').reshape(1, batch, a);                           // [1, B, A]
            dLast.addi(glimpse[k].backward(g.passes[k], dCtx, dMemory).reshape(batch, cfg.hiddenDim()));
        }
        if (dGrids != null) {
            lastGridGrad = dGrids.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, cfg.gridDim())).dup('c'); // [U, R, C]
            dGrids.close();
        }
        dContexts.close();
        g.release();
        return dLast;
    }

    /** Expects f.logits to hold dL/dlogits; returns dLoss/dh_last [B, H]. */
    private INDArray headBackward(Forward f) {
        INDArray dFused = output.backward(f.fused, f.logits);                 // [B, D]
        dropout.backward(dFused);
        INDArray dq = dFused.mul(f.v);                                        // [B, D]
        INDArray dv = dFused.muli(f.q);                                       // [B, D]
        Ops.tanhBackwardi(f.q, dq);
        Ops.tanhBackwardi(f.v, dv);
        INDArray dLastGlimpses = f.glimpses == null ? null : glimpsesBackward(f.glimpses, dv);
        if (imageGrad) {
            // u = s x / |x|: dx = s (du - u (u . du) / s^2) / |x|.
            double s = cfg.imageScale();
            INDArray du = image.backward(f.imageNorm, dv);                    // [B, F]
            INDArray dot = du.mul(f.imageNorm).sum(true, 1).divi(s * s);     // [B, 1]
            lastImageGrad = du.subi(f.imageNorm.mulColumnVector(dot)).diviColumnVector(f.norms).muli(s); // [B, F] packed order
        } else {
            image.backward(f.imageNorm, dv, null, false);
        }
        INDArray dLast = question.backward(f.last, dq);                       // [B, H]
        return dLastGlimpses == null ? dLast : dLast.addi(dLastGlimpses);
    }

    /** Expects f.logits to hold dL/dlogits. */
    private void backward(Forward f) {
        INDArray dLast = headBackward(f);                                     // [B, H]
        INDArray dTop = Nd4j.zeros(params.dataType(), f.packing.rows(), cfg.hiddenDim()); // [N, H]
        Ops.scatterAddRows(dTop, f.packing.lastRows(), dLast);
        INDArray d = dTop;
        for (int l = rnn.length - 1; l >= 0; l--) {
            d = rnn[l].backward(d, null, null, true);                        // [N, in_l]
        }
        embedding.backward(f.ids, d);
    }

    /** Rows of x in the given order (cast to the params' type), or x itself when there is nothing to reorder. */
    private INDArray sorted(INDArray x, int[] order) {
        INDArray y = order == null ? x : Nd4j.pullRows(x, 1, order);
        return y.dataType() == params.dataType() ? y : y.castTo(params.dataType());
    }
}
