package dev.glimpse.captioning.net;

import dev.glimpse.common.nn.Bf16RowProduct;
import dev.glimpse.common.nn.Dropout;
import dev.glimpse.common.nn.DotProductAttention;
import dev.glimpse.common.nn.Embedding;
import dev.glimpse.common.nn.FloatRows;
import dev.glimpse.common.nn.Linear;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Packing;
import dev.glimpse.common.nn.Params;
import dev.glimpse.common.nn.RecurrentLayer;
import dev.glimpse.common.nn.SoftmaxCrossEntropy;
import dev.glimpse.common.nn.Views;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The captioning network (Show and Tell, optionally with attention over the image grid in the
 * output layer), forward and backward of whole batches and step-wise decoding.
 *
 * <p>For a caption {@code <start> w1..wn <end>} of image features (p [F], G [R,C]):
 * <pre>
 *   x_0 = W_img p + b_img                  image as the input of step 0 (no loss at step 0)
 *   x_t = Emb(token_{t-1}),  t = 1..n+1    inputs <start>, w1..wn
 *   h_t^l, c_t^l = cell_l(h_{t-1}^l, c_{t-1}^l, d(h_t^{l-1}))   h_t^0 := x_t, h_0 = c_0 = 0
 *                                          cell = LSTM, GRU or plain RNN (config; c only for the LSTM)
 *   u_t = d(h_t^L)                         d = inverted dropout in training, identity otherwise
 *   logits_t = W_o u_t + b_o                                  (without attention)
 *   K = G W_k, V = G W_v   [R, D]          projected once per image
 *   alpha_t = softmax_r(q_t K^T / sqrt(D)), q_t = W_q u_t;   ctx_t = alpha_t V
 *   logits_t = W_o u_t + W_c ctx_t + b_o                      (with attention: [u_t ; ctx_t] times
 *                                           [W_o ; W_c] as two accumulating GEMMs, no concat)
 *   p_t = softmax(logits_t), targets w1..wn, <end> at t = 1..n+1
 * </pre>
 * The context is not fed back into the recurrent layers, so in training attention for all steps runs
 * after them in a few batched ops. Dropout follows every recurrent layer (between layers and before the output
 * layer and the attention query).
 *
 * <p>Training batches are sorted by caption length and packed (time-major, per step only the
 * captions still running, see {@link Packing}); then every packed row after step 0 has a target, so
 * the 10000-way output layer and the softmax run on exactly the valid positions (a contiguous row
 * block, no padding). Loss = sum of -log p(target) over those tokens; the gradients are those of
 * the mean over tokens (loss sum / token count), so their scale does not depend on batch size or
 * caption lengths.
 *
 * <p>Parameters (one {@link Params}): {@code image.w [F,E], image.b}, {@code embed.e [V,E]},
 * {@code <cell><l>.wx/.wh/.b} ({@code lstm0..}, {@code gru0..}, {@code rnn0..}), {@code out.w [H,V], out.b}, and with attention {@code att.wk, att.wv [C,D],
 * att.wq [H,D]}, {@code ctx.w [D,V]}. A trained model is restored by building the net from its config
 * and {@code params().copyFrom(saved)} (the layout depends only on the config). Not thread-safe (layers
 * keep per-call buffers): one net per thread.
 */
public final class CaptionNet {
    private final CaptionNetConfig cfg;
    private final Params params;
    private final DataType type;
    private final Linear image;
    private final Embedding embed;
    private final RecurrentLayer[] rnn;
    private final Dropout[] dropout;
    private final Linear out;
    private final Linear outContext; // null without attention
    private final DotProductAttention attention; // null without attention
    /** Size limit of the decoding table {@link #wordGates()} (82 MB for 10000 words x 512 hidden). */
    static final long WORD_GATES_MAX_BYTES = 256L << 20;
    private INDArray wordGates; // [V, gates*H] or null until first needed
    private long wordGatesVersion = -1;
    private INDArray logitsBuffer; // [1, capacity], reused: the largest array of a step
    private boolean recordGradNorms;
    // decodeInBf16(): batch-1 steps through bfloat16 copies
    private boolean bf16;
    private Bf16RowProduct outBf16;  // [H (+ A) + 1, V]: [out.w ; ctx.w ; out.b]
    private float[] outX;            // [H (+ A) + 1]: [top ; context ; 1]
    private float[] outTop;          // [H]
    private float[] outCtx;          // [A] or null
    private float[] outY;            // [V]
    private long outBf16Version = -1;
    private double[] lastStepGradNorms;

    /** A float32 network with weights drawn from {@code seed}. */
    public CaptionNet(CaptionNetConfig cfg, long seed) {
        this(cfg, seed, DataType.FLOAT);
    }

    /** As {@link #CaptionNet(CaptionNetConfig, long)} in the given precision (DOUBLE for gradient checks). */
    public CaptionNet(CaptionNetConfig cfg, long seed, DataType type) {
        this.cfg = cfg;
        this.type = type;
        Params.Builder b = Params.builder().dataType(type);
        Linear.declare(b, "image", cfg.featureDim(), cfg.embedDim(), true);
        Embedding.declare(b, "embed", cfg.vocabSize(), cfg.embedDim());
        for (int l = 0; l < cfg.layers(); l++) {
            cfg.cell().declare(b, cfg.cell().layerName(l), l == 0 ? cfg.embedDim() : cfg.hiddenDim(), cfg.hiddenDim());
        }
        Linear.declare(b, "out", cfg.hiddenDim(), cfg.vocabSize(), true);
        if (cfg.attention()) {
            DotProductAttention.declare(b, "att", cfg.gridDim(), cfg.hiddenDim(), cfg.attentionDim());
            Linear.declare(b, "ctx", cfg.attentionDim(), cfg.vocabSize(), false);
        }
        this.params = b.build(seed);
        this.image = new Linear(params, "image");
        this.embed = new Embedding(params, "embed");
        this.rnn = new RecurrentLayer[cfg.layers()];
        this.dropout = new Dropout[cfg.layers()];
        for (int l = 0; l < cfg.layers(); l++) {
            rnn[l] = cfg.cell().create(params, cfg.cell().layerName(l));
            dropout[l] = new Dropout(cfg.dropout(), seed * 31 + 17 + l);
        }
        this.out = new Linear(params, "out");
        this.outContext = cfg.attention() ? new Linear(params, "ctx") : null;
        this.attention = cfg.attention() ? new DotProductAttention(params, "att") : null;
    }

    public CaptionNetConfig config() {
        return cfg;
    }

    public Params params() {
        return params;
    }

    /** Where each layer's dropout generator stands, for checkpoints: a resumed run then draws the masks an uninterrupted one would. */
    public long[] dropoutPositions() {
        long[] out = new long[dropout.length];
        for (int l = 0; l < out.length; l++) {
            out[l] = dropout[l].position();
        }
        return out;
    }

    public void dropoutPositions(long[] positions) {
        if (positions.length != dropout.length) {
            throw new IllegalArgumentException(positions.length + " dropout positions for " + dropout.length + " layers");
        }
        for (int l = 0; l < positions.length; l++) {
            dropout[l].position(positions[l]);
        }
    }

    public DataType dataType() {
        return type;
    }

    DotProductAttention attentionKernel() {
        return attention;
    }

    // ---------------------------------------------------------------- training

    /**
     * Forward and backward of one batch with full backpropagation through time: adds the gradients of the
     * mean token loss to {@code params().flatGrad()} (the caller zeroes, clips and steps the optimizer).
     */
    public StepLoss trainStep(CaptionBatch batch, boolean dropout) {
        return trainStep(batch, dropout, 0);
    }

    /**
     * {@link #trainStep(CaptionBatch, boolean)} with truncated BPTT: the time steps run in chunks of
     * {@code tbptt} steps (0 = one chunk: full BPTT); each chunk starts from the state the previous one ended
     * in (so the forward pass and the loss are those of full BPTT) and is backpropagated on its own, the
     * gradient stopping at the chunk's start. Layer caches, logits and their gradients then hold one chunk's
     * rows: the backward pass's memory grows with {@code tbptt}, not with the caption length.
     */
    public StepLoss trainStep(CaptionBatch batch, boolean dropout, int tbptt) {
        return trainStep(prepare(batch), dropout, tbptt);
    }

    /** A training step's loss and the gradients of its mean loss for the image features, in batch order. */
    public record FeatureStep(StepLoss loss, INDArray dPooled, INDArray dGrid) {}

    /**
     * As {@link #trainStep(CaptionBatch, boolean)} (full BPTT), and also returns d(mean loss)/d(features):
     * dPooled [B, F] and, with attention, dGrid shaped as the batch's grid (else null): [B, R, C] in batch order,
     * or [U, R, C] per image when the batch shares grids ({@link CaptionBatch#gridOf()}), so gradients can flow
     * on into a fine-tuned encoder.
     */
    public FeatureStep trainStepWithFeatureGradients(CaptionBatch batch, boolean dropout) {
        Prepared p = prepare(batch);
        p.dPooled = Nd4j.zeros(type, p.batch, cfg.featureDim()); // [B, F] packed order
        p.dGrid = p.grid == null ? null : Nd4j.zeros(type, p.grid.shape()); // [B, R, C] packed order
        StepLoss loss = trainStep(p, dropout, 0);
        int[] inverse = new int[p.order.length];
        for (int s = 0; s < inverse.length; s++) {
            inverse[p.order[s]] = s;
        }
        INDArray dPooled = Nd4j.pullRows(p.dPooled, 1, inverse, 'c'); // [B, F] batch order
        INDArray dGrid = p.gridOf != null ? p.dGrid : null; // per image: no row order to undo
        if (p.dGrid != null && p.gridOf == null) {
            dGrid = Ops.gatherRows(p.dGrid, inverse);
        }
        return new FeatureStep(loss, dPooled, dGrid);
    }

    private StepLoss trainStep(Prepared p, boolean dropout, int tbptt) {
        if (tbptt < 0) {
            throw new IllegalArgumentException("tbptt must be >= 0, got " + tbptt);
        }
        int steps = p.packing.steps();
        int k = tbptt == 0 ? steps : tbptt;
        double[] norms = recordGradNorms ? new double[steps] : null;
        rnn[0].recordStepGradNorms(norms != null);
        INDArray[] h0 = null;
        INDArray[] c0 = null;
        double loss = 0;
        for (int t0 = 0; t0 < steps; t0 += k) {
            Chunk c = chunk(p, t0, Math.min(steps, t0 + k));
            INDArray[] h1 = c.t1 < steps ? new INDArray[rnn.length] : null;
            INDArray[] c1 = c.t1 < steps ? new INDArray[rnn.length] : null;
            forward(p, c, dropout, h0, c0, h1, c1);
            h0 = h1;
            c0 = c1;
            if (c.valid == 0) {
                continue; // only the image step (tbptt 1): no loss, nothing to backpropagate
            }
            loss += SoftmaxCrossEntropy.forwardBackward(c.logits, c.targets, c.weights, 1.0 / p.valid); // logits := dL/dlogits
            backward(p, c);
            if (norms != null) {
                double[] n = rnn[0].stepGradNorms();
                System.arraycopy(n, 0, norms, t0, n.length);
            }
        }
        lastStepGradNorms = norms;
        return new StepLoss(loss, p.valid);
    }

    /**
     * Whether {@link #trainStep} records the gradient flow: per time step t the root mean square over the
     * captions of |dLoss/dh_t| of the first recurrent layer (the gradient that travelled furthest), read by
     * {@link #lastStepGradNorms}. Step 0 is the image step.
     */
    public void recordGradNorms(boolean on) {
        recordGradNorms = on;
    }

    /** Per-step |dLoss/dh_t| of the last recorded {@link #trainStep}, or null. */
    public double[] lastStepGradNorms() {
        return lastStepGradNorms;
    }

    /** Rows the recurrent layers' training caches hold now (their largest): bounded by the rows of a chunk. */
    int trainingCapacityRows() {
        int rows = 0;
        for (RecurrentLayer layer : rnn) {
            rows = Math.max(rows, layer.trainingCapacityRows());
        }
        return rows;
    }

    /** Mean loss per predicted token, forward only, no dropout. */
    public double loss(CaptionBatch batch) {
        return evaluate(batch).mean();
    }

    /** Summed loss and token count, forward only, no dropout (for averaging over many batches). */
    public StepLoss evaluate(CaptionBatch batch) {
        Prepared p = prepare(batch);
        Chunk c = chunk(p, 0, p.packing.steps());
        forward(p, c, false, null, null, null, null);
        return new StepLoss(SoftmaxCrossEntropy.loss(c.logits, c.targets), p.valid);
    }

    /**
     * Teacher-forced word probabilities per caption (batch order): [n+1, V] for the targets
     * w1..wn, {@code <end>}. For tests and diagnostics.
     */
    INDArray[] teacherForcedProbabilities(CaptionBatch batch) {
        Prepared p = prepare(batch);
        Chunk c = chunk(p, 0, p.packing.steps());
        forward(p, c, false, null, null, null, null);
        Ops.softmaxRowsi(c.logits); // [Nv, V]
        INDArray[] result = new INDArray[batch.size()];
        for (int s = 0; s < p.order.length; s++) {
            int steps = p.packing.length(s) - 1;
            int[] rows = new int[steps];
            for (int t = 1; t <= steps; t++) {
                rows[t - 1] = p.packing.row(t, s) - p.batch;
            }
            result[p.order[s]] = Nd4j.pullRows(c.logits, 1, rows, 'c'); // [n+1, V]
        }
        return result;
    }

    /** The whole batch, packed (rows sorted by caption length) and embedded. */
    private static final class Prepared {
        int batch;
        int valid;
        int[] order; // packed position s -> batch index
        Packing packing;
        int[] inputIds; // [Nv] token input of each packed row after step 0
        int[] targets; // [Nv]
        double[] weights; // [Nv] each target's caption weight, or null (all 1)
        INDArray pooled; // [B, F] in packed order
        INDArray x; // [N, E] inputs of every row
        INDArray grid; // [B, R, C] in packed order, [U, R, C] as given with gridOf, or null without attention
        int[] gridOf; // packed row -> its image's grid, when images' grids are shared; else null
        INDArray dPooled; // [B, F] packed order: the features' gradients, when asked for (fine-tuning)
        INDArray dGrid; // shaped as grid, likewise
    }

    /**
     * Steps [t0, t1) of a prepared batch: rows offset(t0)..offset(t1) of it (a contiguous block), the
     * sequences still running at t0 as a packing of their own, and what one forward pass leaves for backward.
     */
    private static final class Chunk {
        int t0;
        int t1;
        int rowFrom; // first packed row
        int rows; // rows of the chunk
        int batch; // sequences running at t0
        int firstValid; // first chunk row with a target (the image step has none)
        int validFrom; // that row's index among all valid rows
        int valid; // rows with a target
        Packing packing;
        int[] targets; // [valid]
        double[] weights; // [valid], or null
        INDArray top; // [rows, H] (dropped) top recurrent output
        INDArray logits; // [valid, V]
        // attention only
        DotProductAttention.Pass pass;
        INDArray contextValid; // [valid, D]
        int[] paddedRowOfValid; // [valid] valid row -> row s*T' + t' of the padded [batch, T'] layout
        int[] validRowOfPadded; // [groups*width] padded row -> valid row, or valid for padding
        int groups; // rows of the attention memory: sequences, or with shared grids the images the chunk reads
        int width; // padded query rows per group: T', or (most captions of one image) x T'
        int[] groupImages; // group -> row of p.grid, or null when the chunk reads every grid and group g is row g
    }

    private Prepared prepare(CaptionBatch batch) {
        checkFeatures(batch.pooled(), batch.grid(), batch.gridOf() != null);
        Prepared p = new Prepared();
        int b = batch.size();
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = batch.tokens()[i].length; // image step + <start> w1..wn
        }
        p.batch = b;
        p.order = Packing.orderByLengthDesc(lengths);
        int[] sorted = new int[b];
        for (int s = 0; s < b; s++) {
            sorted[s] = lengths[p.order[s]];
        }
        p.packing = Packing.ofLengths(sorted);
        int n = p.packing.rows();
        p.valid = n - b;
        p.inputIds = new int[p.valid];
        p.targets = new int[p.valid];
        p.weights = batch.weights() == null ? null : new double[p.valid];
        for (int t = 1; t < p.packing.steps(); t++) {
            for (int s = 0; s < p.packing.batchSize(t); s++) {
                int j = p.packing.row(t, s) - b;
                int[] caption = batch.tokens()[p.order[s]];
                p.inputIds[j] = caption[t - 1];
                p.targets[j] = caption[t];
                if (p.weights != null) {
                    p.weights[j] = batch.weights()[p.order[s]];
                }
            }
        }
        checkIds(p.targets);
        p.pooled = Nd4j.pullRows(cast(batch.pooled()), 1, p.order, 'c'); // [B, F]
        p.x = Nd4j.create(type, n, cfg.embedDim()); // [N, E]
        image.forward(p.pooled, Views.rows(p.x, 0, b), false);
        embed.forward(p.inputIds, Views.rows(p.x, b, n));
        if (attention != null && batch.gridOf() != null) {
            p.grid = cast(batch.grid()).dup('c'); // [U, R, C]
            p.gridOf = new int[b];
            for (int s = 0; s < b; s++) {
                p.gridOf[s] = batch.gridOf()[p.order[s]];
            }
        } else if (attention != null) {
            p.grid = Ops.gatherRows(cast(batch.grid()), p.order); // [B, R, C] packed order
        }
        return p;
    }

    private Chunk chunk(Prepared p, int t0, int t1) {
        Chunk c = new Chunk();
        Packing all = p.packing;
        c.t0 = t0;
        c.t1 = t1;
        c.rowFrom = all.offset(t0);
        int rowTo = t1 < all.steps() ? all.offset(t1) : all.rows();
        c.rows = rowTo - c.rowFrom;
        c.batch = all.batchSize(t0);
        int[] lengths = new int[c.batch];
        for (int s = 0; s < c.batch; s++) {
            lengths[s] = Math.min(all.length(s), t1) - t0;
        }
        c.packing = Packing.ofLengths(lengths);
        int firstValidRow = Math.max(c.rowFrom, p.batch);
        c.firstValid = firstValidRow - c.rowFrom;
        c.validFrom = firstValidRow - p.batch;
        c.valid = rowTo - firstValidRow;
        c.targets = Arrays.copyOfRange(p.targets, c.validFrom, c.validFrom + c.valid);
        c.weights = p.weights == null ? null : Arrays.copyOfRange(p.weights, c.validFrom, c.validFrom + c.valid);
        return c;
    }

    /**
     * Forward of one chunk from state h0/c0 per layer (null = zeros); when h1 is given, each layer's state
     * at the chunk's last step (of the sequences running on) is copied into fresh arrays there.
     */
    private void forward(Prepared p, Chunk c, boolean training, INDArray[] h0, INDArray[] c0, INDArray[] h1,
                         INDArray[] c1) {
        INDArray in = Views.rows(p.x, c.rowFrom, c.rowFrom + c.rows); // [rows, E]
        int next = h1 == null ? 0 : p.packing.batchSize(c.t1);
        for (int l = 0; l < rnn.length; l++) {
            INDArray h = rnn[l].forward(in, c.packing, h0 == null ? null : h0[l], c0 == null ? null : c0[l]); // [rows, H]
            if (h1 != null) {
                h1[l] = Nd4j.create(type, next, cfg.hiddenDim()); // [B', H]
                c1[l] = cfg.cell().hasCell() ? Nd4j.create(type, next, cfg.hiddenDim()) : null;
                rnn[l].copyLastState(next, h1[l], c1[l]); // before dropout changes h in place
            }
            dropout[l].forward(h, training);
            in = h;
        }
        c.top = in; // [rows, H]
        if (c.valid == 0) {
            return;
        }
        c.logits = logits(c.valid); // [valid, V]
        out.forward(Views.rows(c.top, c.firstValid, c.rows), c.logits, false);
        if (attention != null) {
            attend(p, c);
            Nd4j.gemm(c.contextValid, outContext.weight(), c.logits, false, false, 1.0, 1.0); // [valid, V]
        }
    }

    /**
     * Attention for all steps of a chunk at once. The batched products need a rectangular [batch, T']
     * layout (packed order, T' = the chunk's steps with a target); packed rows are gathered into it and
     * the contexts of valid positions gathered back. Padding queries read an arbitrary row; their context
     * is never used and gets zero gradient.
     */
    private void attend(Prepared p, Chunk c) {
        int b = c.batch;
        int from = c.t0 == 0 ? 1 : 0; // the image step has no target
        int steps = c.packing.steps() - from;
        int[] base = groups(p, c, steps); // sequence -> its first padded row
        int[] queryRows = new int[c.groups * c.width]; // padded -> chunk row of the top output
        c.validRowOfPadded = new int[c.groups * c.width];
        Arrays.fill(c.validRowOfPadded, c.valid);
        c.paddedRowOfValid = new int[c.valid];
        for (int t = from; t < c.packing.steps(); t++) {
            for (int s = 0; s < c.packing.batchSize(t); s++) {
                int row = c.packing.row(t, s);
                int padded = base[s] + t - from;
                queryRows[padded] = row;
                c.validRowOfPadded[padded] = row - c.firstValid;
                c.paddedRowOfValid[row - c.firstValid] = padded;
            }
        }
        INDArray queries = Nd4j.pullRows(c.top, 1, queryRows, 'c').reshape(c.groups, c.width, cfg.hiddenDim()); // [G, W, H]
        INDArray grid = p.grid; // [G, R, C]
        if (c.groupImages != null) {
            grid = Ops.gatherRows(p.grid, c.groupImages); // [G, R, C]
        }
        DotProductAttention.Memory memory = attention.memory(grid); // K, V [G, R, D]
        c.pass = attention.forward(memory, queries);
        INDArray context = c.pass.context().reshape((long) c.groups * c.width, cfg.attentionDim()); // [G*W, D]
        c.contextValid = Nd4j.pullRows(context, 1, c.paddedRowOfValid, 'c'); // [valid, D]
    }

    /**
     * The attention layout of a chunk: one group (row of the attention memory) per grid the chunk's sequences read,
     * holding the T' query rows of each of its captions side by side (padded to the grid with most captions). With a
     * grid per caption that is one group per sequence; with captions sharing their image's grid
     * ({@link CaptionBatch#gridOf()}), one per image, so each grid is projected and backpropagated once. Softmax and
     * context are per query row, so the layout does not change the result. Returns each running sequence's first
     * padded row.
     */
    private static int[] groups(Prepared p, Chunk c, int steps) {
        int b = c.batch;
        int[] base = new int[b];
        int[] gridOf = new int[b]; // sequence -> row of p.grid
        for (int s = 0; s < b; s++) {
            gridOf[s] = p.gridOf == null ? s : p.gridOf[s];
        }
        int images = (int) p.grid.size(0);
        int[] groupOf = new int[images];
        Arrays.fill(groupOf, -1);
        int[] used = new int[images];
        int groups = 0;
        for (int s = 0; s < b; s++) {
            if (groupOf[gridOf[s]] < 0) {
                used[groups] = gridOf[s];
                groupOf[gridOf[s]] = groups++;
            }
        }
        boolean all = groups == images;
        if (all) {
            for (int i = 0; i < images; i++) {
                groupOf[i] = i; // every image is read: memory rows as given, no gather
            }
        }
        int[] slot = new int[b];
        int[] count = new int[groups];
        int most = 0;
        for (int s = 0; s < b; s++) {
            int g = groupOf[gridOf[s]];
            slot[s] = count[g]++;
            most = Math.max(most, count[g]);
        }
        c.groups = groups;
        c.width = most * steps;
        c.groupImages = all ? null : Arrays.copyOf(used, groups);
        for (int s = 0; s < b; s++) {
            base[s] = groupOf[gridOf[s]] * c.width + slot[s] * steps;
        }
        return base;
    }

    /** Backward of one chunk from c.logits holding dL/dlogits [valid, V]; the gradient stops at the chunk's start. */
    private void backward(Prepared p, Chunk c) {
        INDArray dTop = Nd4j.create(type, c.rows, cfg.hiddenDim()); // [rows, H], zero at the image step
        INDArray dTopValid = Views.rows(dTop, c.firstValid, c.rows); // [valid, H]
        out.backward(Views.rows(c.top, c.firstValid, c.rows), c.logits, dTopValid, false);
        if (attention != null) {
            INDArray dContext = Nd4j.create(type, c.valid + 1, cfg.attentionDim()); // [valid+1, D], last row zero
            outContext.backward(c.contextValid, c.logits, Views.rows(dContext, 0, c.valid), false);
            long padded = c.validRowOfPadded.length;
            INDArray dPadded = Nd4j.pullRows(dContext, 1, c.validRowOfPadded, 'c')
                    .reshape(c.groups, c.width, cfg.attentionDim()); // [G, W, D], zero at padding
            INDArray dChunkGrid = p.dGrid == null ? null : Nd4j.zeros(type, c.groups, p.dGrid.size(1), p.dGrid.size(2)); // [G, R, C]
            INDArray dQueries = attention.backward(c.pass, dPadded, dChunkGrid).reshape(padded, cfg.hiddenDim()); // [G*W, H]
            if (dChunkGrid != null && c.groupImages != null) {
                long[] sh = p.dGrid.shape();
                Ops.scatterAddRows(p.dGrid.reshape('c', sh[0], sh[1] * sh[2]), c.groupImages,
                        dChunkGrid.reshape('c', c.groups, sh[1] * sh[2]));
            } else if (dChunkGrid != null) {
                p.dGrid.addi(dChunkGrid); // every grid read, in order
            }
            dTopValid.addi(Nd4j.pullRows(dQueries, 1, c.paddedRowOfValid, 'c')); // [valid, H]
        }
        INDArray d = dTop;
        for (int l = rnn.length - 1; l >= 0; l--) {
            dropout[l].backward(d);
            d = rnn[l].backward(d, null, null, true); // [rows, in]
        }
        if (c.t0 == 0) {
            image.backward(p.pooled, Views.rows(d, 0, p.batch), p.dPooled, false);
        }
        embed.backward(Arrays.copyOfRange(p.inputIds, c.validFrom, c.validFrom + c.valid),
                Views.rows(d, c.firstValid, c.rows));
    }

    private INDArray logits(int rows) {
        long need = (long) rows * cfg.vocabSize();
        if (logitsBuffer == null || logitsBuffer.length() < need) {
            logitsBuffer = Nd4j.create(type, 1, need + need / 4);
        }
        return Views.head(logitsBuffer, rows, cfg.vocabSize()); // [rows, V]
    }

    // ---------------------------------------------------------------- inference

    /**
     * Runs the image step for B images and projects the attention memory once.
     *
     * @param pooled [B, F]
     * @param grid   [B, R, C]; required with attention, ignored without
     */
    public DecodeState start(INDArray pooled, INDArray grid) {
        checkFeatures(pooled, grid);
        int b = (int) pooled.size(0);
        DotProductAttention.Memory memory = attention == null ? null : attention.memory(cast(grid));
        DecodeState s = new DecodeState(this, b, memory);
        image.forward(cast(pooled), s.input, false); // [B, E]
        stepLayers(s, 0);
        return s;
    }

    /**
     * Feeds one token per row and advances the state: returns the next-word probabilities [B, V]
     * (the state's buffer, overwritten by the next step); {@code s.attention()} then holds this
     * step's attention weights [B, R].
     */
    public INDArray next(DecodeState s, int[] tokens) {
        if (s.net != this) {
            throw new IllegalArgumentException("state belongs to another network");
        }
        if (tokens.length != s.batch) {
            throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + s.batch);
        }
        INDArray top;
        INDArray table = wordGates();
        if (table != null) {
            checkIds(tokens);
            if (s.batch == 1 && type == DataType.FLOAT) {
                rnn[0].stepFromTableRow(table, tokens[0], s.h[0], s.c[0]); // latency path: no gather
            } else {
                Nd4j.pullRows(table, s.wordGates, 1, tokens); // [B, gates*H]
                rnn[0].stepFromInputProducts(s.wordGates, s.h[0], s.c[0]);
            }
            top = stepLayers(s, 1);
        } else {
            embed.forward(tokens, s.input); // [B, E]
            top = stepLayers(s, 0); // [B, H]
        }
        if (bf16 && s.batch == 1) {
            Bf16RowProduct o = outBf16();
            FloatRows.get(top, 0, outTop);
            System.arraycopy(outTop, 0, outX, 0, outTop.length);
            if (attention != null) {
                attention.step(s.memory, top, s.att); // weights [1, R], context [1, D]
                FloatRows.get(s.att.context(), 0, outCtx);
                System.arraycopy(outCtx, 0, outX, outTop.length, outCtx.length);
            }
            o.multiply(outX, outY);      // [top ; context ; 1] [out.w ; ctx.w ; out.b]: [V]
            o.exactMaximum(outX, outY);  // the best word's logit, and which word it is, as in float
            FloatRows.put(s.probs, 0, outY);
            return Ops.softmaxRowsi(s.probs);
        }
        out.forward(top, s.probs, false); // [B, V]
        if (attention != null) {
            attention.step(s.memory, top, s.att); // weights [B, R], context [B, D]
            Nd4j.gemm(s.att.context(), outContext.weight(), s.probs, false, false, 1.0, 1.0); // [B, V]
        }
        return Ops.softmaxRowsi(s.probs);
    }

    /**
     * Whether decoding steps of one row ({@link #next} on a state of batch 1: greedy and sampled captions of
     * one image) multiply the recurrent and output weights through bfloat16 copies ({@link Bf16RowProduct}):
     * a step at batch 1 streams every weight once and is memory-bound, and half the bytes measured ~1.3x
     * faster here. Which word has the highest probability is decided as in float ({@link
     * Bf16RowProduct#exactMaximum}); the probabilities themselves and the recurrent state carry bfloat16's
     * rounding (~2^-8 relative), so a sampled word or a later step can still differ from float. Off by default;
     * only float networks; training and batched decoding are not affected.
     */
    public void decodeInBf16(boolean on) {
        bf16 = on && type == DataType.FLOAT;
        for (RecurrentLayer layer : rnn) {
            layer.decodeInBf16(bf16);
        }
    }

    /** The stacked output weights in bfloat16, taken again when the parameters moved. */
    private Bf16RowProduct outBf16() {
        int h = cfg.hiddenDim();
        int a = attention == null ? 0 : (int) outContext.weight().size(0);
        if (outBf16 == null) {
            outBf16 = new Bf16RowProduct(h + a + 1, cfg.vocabSize(), true);
            outX = new float[h + a + 1];
            outX[h + a] = 1f;
            outTop = new float[h];
            outCtx = a == 0 ? null : new float[a];
            outY = new float[cfg.vocabSize()];
        }
        if (outBf16Version != params.version()) {
            outBf16.load(0, out.weight());
            if (a > 0) {
                outBf16.load(h, outContext.weight());
            }
            outBf16.load(h + a, out.bias());
            outBf16Version = params.version();
        }
        return outBf16;
    }

    private INDArray stepLayers(DecodeState s, int from) {
        INDArray in = from == 0 ? s.input : s.h[from - 1];
        for (int l = from; l < rnn.length; l++) {
            rnn[l].step(in, s.h[l], s.c[l]); // [B, H]
            in = s.h[l];
        }
        return in;
    }

    /**
     * The first recurrent layer's input products for every word, [V, gates*H] (E [alpha Wx] for the LSTM),
     * built on first use
     * and rebuilt when the parameters change; null when larger than {@link #WORD_GATES_MAX_BYTES}.
     * Decoding reads a row of it instead of multiplying the embedding by Wx: at batch 1 a step is
     * memory-bound, and this takes Wx (4 MB at 512x2048) out of what every token streams, so the
     * remaining weights (Wh and the output layer, ~24.5 MB for the standard case) can stay in a 32 MB
     * L3 cache.
     */
    private INDArray wordGates() {
        long bytes = (long) cfg.vocabSize() * cfg.cell().gates() * cfg.hiddenDim() * type.width();
        if (bytes > WORD_GATES_MAX_BYTES) {
            return null;
        }
        if (wordGates == null || wordGatesVersion != params.version()) {
            wordGates = rnn[0].inputProducts(embed.table()); // [V, gates*H]
            wordGatesVersion = params.version();
        }
        return wordGates;
    }

    // ---------------------------------------------------------------- checks

    private void checkFeatures(INDArray pooled, INDArray grid) {
        checkFeatures(pooled, grid, false);
    }

    /** {@code shared}: the grid holds one row per image (any count), not one per pooled row. */
    private void checkFeatures(INDArray pooled, INDArray grid, boolean shared) {
        if (pooled.rank() != 2 || pooled.size(1) != cfg.featureDim()) {
            throw new IllegalArgumentException("pooled features must be [B, " + cfg.featureDim() + "], got "
                    + Arrays.toString(pooled.shape()));
        }
        if (attention != null) {
            if (grid == null) {
                throw new IllegalArgumentException("this model attends over grid features; grid is missing");
            }
            if (grid.rank() != 3 || !shared && grid.size(0) != pooled.size(0) || grid.size(2) != cfg.gridDim()) {
                throw new IllegalArgumentException("grid features must be [" + pooled.size(0) + ", R, "
                        + cfg.gridDim() + "], got " + Arrays.toString(grid.shape()));
            }
        }
    }

    private void checkIds(int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + cfg.vocabSize());
            }
        }
    }

    private INDArray cast(INDArray a) {
        return a.dataType() == type ? a : a.castTo(type);
    }
}
