package dev.glimpse.captioning.net;

import dev.glimpse.common.nn.Dropout;
import dev.glimpse.common.nn.DotProductAttention;
import dev.glimpse.common.nn.Embedding;
import dev.glimpse.common.nn.Linear;
import dev.glimpse.common.nn.Lstm;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Packing;
import dev.glimpse.common.nn.Params;
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
 *   h_t^l, c_t^l = LSTM_l(h_{t-1}^l, c_{t-1}^l, d(h_t^{l-1}))   h_t^0 := x_t, h_0 = c_0 = 0
 *   u_t = d(h_t^L)                         d = inverted dropout in training, identity otherwise
 *   logits_t = W_o u_t + b_o                                  (without attention)
 *   K = G W_k, V = G W_v   [R, D]          projected once per image
 *   alpha_t = softmax_r(q_t K^T / sqrt(D)), q_t = W_q u_t;   ctx_t = alpha_t V
 *   logits_t = W_o u_t + W_c ctx_t + b_o                      (with attention: [u_t ; ctx_t] times
 *                                           [W_o ; W_c] as two accumulating GEMMs, no concat)
 *   p_t = softmax(logits_t), targets w1..wn, <end> at t = 1..n+1
 * </pre>
 * The context is not fed back into the LSTM, so in training attention for all steps runs after the
 * LSTM in a few batched ops. Dropout follows every LSTM layer (between layers and before the output
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
 * {@code lstm<l>.wx/.wh/.b}, {@code out.w [H,V], out.b}, and with attention {@code att.wk, att.wv [C,D],
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
    private final Lstm[] lstm;
    private final Dropout[] dropout;
    private final Linear out;
    private final Linear outContext; // null without attention
    private final DotProductAttention attention; // null without attention
    /** Size limit of the decoding table {@link #wordGates()} (82 MB for 10000 words x 512 hidden). */
    static final long WORD_GATES_MAX_BYTES = 256L << 20;
    private INDArray wordGates; // [V, 4H] or null until first needed
    private long wordGatesVersion = -1;
    private INDArray logitsBuffer; // [1, capacity], reused: the largest array of a step

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
            Lstm.declare(b, "lstm" + l, l == 0 ? cfg.embedDim() : cfg.hiddenDim(), cfg.hiddenDim());
        }
        Linear.declare(b, "out", cfg.hiddenDim(), cfg.vocabSize(), true);
        if (cfg.attention()) {
            DotProductAttention.declare(b, "att", cfg.gridDim(), cfg.hiddenDim(), cfg.attentionDim());
            Linear.declare(b, "ctx", cfg.attentionDim(), cfg.vocabSize(), false);
        }
        this.params = b.build(seed);
        this.image = new Linear(params, "image");
        this.embed = new Embedding(params, "embed");
        this.lstm = new Lstm[cfg.layers()];
        this.dropout = new Dropout[cfg.layers()];
        for (int l = 0; l < cfg.layers(); l++) {
            lstm[l] = new Lstm(params, "lstm" + l);
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

    public DataType dataType() {
        return type;
    }

    DotProductAttention attentionKernel() {
        return attention;
    }

    // ---------------------------------------------------------------- training

    /**
     * Forward and backward of one batch: adds the gradients of the mean token loss to
     * {@code params().flatGrad()} (the caller zeroes, clips and steps the optimizer).
     */
    public StepLoss trainStep(CaptionBatch batch, boolean dropout) {
        Forward f = forward(batch, dropout);
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, f.targets, 1.0 / f.valid); // logits := dL/dlogits
        backward(f, false, null);
        return new StepLoss(loss, f.valid);
    }

    /** A training step's loss and the gradients of its mean loss for the image features, in batch order. */
    public record FeatureStep(StepLoss loss, INDArray dPooled, INDArray dGrid) {}

    /**
     * As {@link #trainStep}, and also returns d(mean loss)/d(features): dPooled [B, F] and, with
     * attention, dGrid [B, R, C] (else null), so gradients can flow on into a fine-tuned encoder.
     */
    public FeatureStep trainStepWithFeatureGradients(CaptionBatch batch, boolean dropout) {
        Forward f = forward(batch, dropout);
        double loss = SoftmaxCrossEntropy.forwardBackward(f.logits, f.targets, 1.0 / f.valid); // logits := dL/dlogits
        INDArray dGrid = attention == null ? null : Nd4j.zeros(type, batch.grid().shape()); // [B, R, C]
        INDArray dPooledSorted = backward(f, true, dGrid); // [B, F] packed order
        int[] inverse = new int[f.order.length];
        for (int s = 0; s < inverse.length; s++) {
            inverse[f.order[s]] = s;
        }
        return new FeatureStep(new StepLoss(loss, f.valid), Nd4j.pullRows(dPooledSorted, 1, inverse, 'c'), dGrid);
    }

    /** Mean loss per predicted token, forward only, no dropout. */
    public double loss(CaptionBatch batch) {
        return evaluate(batch).mean();
    }

    /** Summed loss and token count, forward only, no dropout (for averaging over many batches). */
    public StepLoss evaluate(CaptionBatch batch) {
        Forward f = forward(batch, false);
        return new StepLoss(SoftmaxCrossEntropy.loss(f.logits, f.targets), f.valid);
    }

    /**
     * Teacher-forced word probabilities per caption (batch order): [n+1, V] for the targets
     * w1..wn, {@code <end>}. For tests and diagnostics.
     */
    INDArray[] teacherForcedProbabilities(CaptionBatch batch) {
        Forward f = forward(batch, false);
        Ops.softmaxRowsi(f.logits); // [Nv, V]
        INDArray[] result = new INDArray[batch.size()];
        for (int s = 0; s < f.order.length; s++) {
            int steps = f.packing.length(s) - 1;
            int[] rows = new int[steps];
            for (int t = 1; t <= steps; t++) {
                rows[t - 1] = f.packing.row(t, s) - f.batch;
            }
            result[f.order[s]] = Nd4j.pullRows(f.logits, 1, rows, 'c'); // [n+1, V]
        }
        return result;
    }

    /** Everything the backward pass needs from one forward pass (packed rows sorted by length). */
    private static final class Forward {
        int batch;
        int valid;
        int[] order; // packed position s -> batch index
        Packing packing;
        int[] inputIds; // [Nv] token input of each packed row after step 0
        int[] targets; // [Nv]
        INDArray pooled; // [B, F] in packed order
        INDArray top; // [N, H] (dropped) top LSTM output
        INDArray logits; // [Nv, V]
        // attention only
        DotProductAttention.Pass pass;
        INDArray contextValid; // [Nv, D]
        int[] paddedRowOfValid; // [Nv] valid row -> row b*T' + t-1 of the padded [B, T'] layout
        int[] validRowOfPadded; // [B*T'] padded row -> valid row, or Nv for padding
    }

    private Forward forward(CaptionBatch batch, boolean training) {
        checkFeatures(batch.pooled(), batch.grid());
        Forward f = new Forward();
        int b = batch.size();
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = batch.tokens()[i].length; // image step + <start> w1..wn
        }
        f.batch = b;
        f.order = Packing.orderByLengthDesc(lengths);
        int[] sorted = new int[b];
        for (int s = 0; s < b; s++) {
            sorted[s] = lengths[f.order[s]];
        }
        f.packing = Packing.ofLengths(sorted);
        int n = f.packing.rows();
        f.valid = n - b;
        f.inputIds = new int[f.valid];
        f.targets = new int[f.valid];
        for (int t = 1; t < f.packing.steps(); t++) {
            for (int s = 0; s < f.packing.batchSize(t); s++) {
                int j = f.packing.row(t, s) - b;
                int[] caption = batch.tokens()[f.order[s]];
                f.inputIds[j] = caption[t - 1];
                f.targets[j] = caption[t];
            }
        }
        checkIds(f.targets);

        f.pooled = Nd4j.pullRows(cast(batch.pooled()), 1, f.order, 'c'); // [B, F]
        INDArray x = Nd4j.create(type, n, cfg.embedDim()); // [N, E]
        image.forward(f.pooled, Views.rows(x, 0, b), false);
        embed.forward(f.inputIds, Views.rows(x, b, n));
        INDArray in = x;
        for (int l = 0; l < lstm.length; l++) {
            INDArray h = lstm[l].forward(in, f.packing, null, null); // [N, H]
            dropout[l].forward(h, training);
            in = h;
        }
        f.top = in; // [N, H]
        f.logits = logits(f.valid); // [Nv, V]
        out.forward(Views.rows(f.top, b, n), f.logits, false);
        if (attention != null) {
            attend(f, batch.grid());
            Nd4j.gemm(f.contextValid, outContext.weight(), f.logits, false, false, 1.0, 1.0); // [Nv, V]
        }
        return f;
    }

    /**
     * Attention for all steps at once. The batched products need a rectangular [B, T'] layout (batch
     * order, T' = longest caption's steps after the image); packed rows are gathered into it and the
     * contexts of valid positions gathered back. Padding queries read an arbitrary row; their context
     * is never used and gets zero gradient.
     */
    private void attend(Forward f, INDArray grid) {
        int b = f.batch;
        int steps = f.packing.steps() - 1;
        int[] queryRows = new int[b * steps]; // padded -> packed row of the top output
        f.validRowOfPadded = new int[b * steps];
        Arrays.fill(f.validRowOfPadded, f.valid);
        f.paddedRowOfValid = new int[f.valid];
        for (int t = 1; t <= steps; t++) {
            for (int s = 0; s < f.packing.batchSize(t); s++) {
                int row = f.packing.row(t, s);
                int padded = f.order[s] * steps + t - 1;
                queryRows[padded] = row;
                f.validRowOfPadded[padded] = row - b;
                f.paddedRowOfValid[row - b] = padded;
            }
        }
        INDArray queries = Nd4j.pullRows(f.top, 1, queryRows, 'c').reshape(b, steps, cfg.hiddenDim()); // [B, T', H]
        DotProductAttention.Memory memory = attention.memory(cast(grid)); // K, V [B, R, D]
        f.pass = attention.forward(memory, queries);
        INDArray context = f.pass.context().reshape((long) b * steps, cfg.attentionDim()); // [B*T', D]
        f.contextValid = Nd4j.pullRows(context, 1, f.paddedRowOfValid, 'c'); // [Nv, D]
    }

    /**
     * Backward from f.logits holding dL/dlogits [Nv, V]; with {@code featureGrads} adds the grid's
     * gradient to {@code dGrid} (attention) and returns the pooled features' gradient [B, F] in packed order.
     */
    private INDArray backward(Forward f, boolean featureGrads, INDArray dGrid) {
        int b = f.batch;
        int n = f.packing.rows();
        INDArray dTop = Nd4j.create(type, n, cfg.hiddenDim()); // [N, H], zero at step 0 (no loss)
        INDArray dTopValid = Views.rows(dTop, b, n); // [Nv, H]
        out.backward(Views.rows(f.top, b, n), f.logits, dTopValid, false);
        if (attention != null) {
            INDArray dContext = Nd4j.create(type, f.valid + 1, cfg.attentionDim()); // [Nv+1, D], last row zero
            outContext.backward(f.contextValid, f.logits, Views.rows(dContext, 0, f.valid), false);
            int steps = f.packing.steps() - 1;
            INDArray dPadded = Nd4j.pullRows(dContext, 1, f.validRowOfPadded, 'c')
                    .reshape(b, steps, cfg.attentionDim()); // [B, T', D], zero at padding
            INDArray dQueries = attention.backward(f.pass, dPadded, dGrid)
                    .reshape((long) b * steps, cfg.hiddenDim()); // [B*T', H]
            dTopValid.addi(Nd4j.pullRows(dQueries, 1, f.paddedRowOfValid, 'c')); // [Nv, H]
        }
        INDArray d = dTop;
        for (int l = lstm.length - 1; l >= 0; l--) {
            dropout[l].backward(d);
            d = lstm[l].backward(d, null, null, true); // [N, in]
        }
        INDArray dPooled = featureGrads ? Nd4j.create(type, b, cfg.featureDim()) : null; // [B, F]
        image.backward(f.pooled, Views.rows(d, 0, b), dPooled, false);
        embed.backward(f.inputIds, Views.rows(d, b, n));
        return dPooled;
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
        stepLstm(s, 0);
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
                lstm[0].stepFromTableRow(table, tokens[0], s.h[0], s.c[0]); // latency path: no gather, cell in Java
            } else {
                Nd4j.pullRows(table, s.wordGates, 1, tokens); // [B, 4H]
                lstm[0].stepFromInputProducts(s.wordGates, s.h[0], s.c[0]);
            }
            top = stepLstm(s, 1);
        } else {
            embed.forward(tokens, s.input); // [B, E]
            top = stepLstm(s, 0); // [B, H]
        }
        out.forward(top, s.probs, false); // [B, V]
        if (attention != null) {
            attention.step(s.memory, top, s.att); // weights [B, R], context [B, D]
            Nd4j.gemm(s.att.context(), outContext.weight(), s.probs, false, false, 1.0, 1.0); // [B, V]
        }
        return Ops.softmaxRowsi(s.probs);
    }

    private INDArray stepLstm(DecodeState s, int from) {
        INDArray in = from == 0 ? s.input : s.h[from - 1];
        for (int l = from; l < lstm.length; l++) {
            lstm[l].step(in, s.h[l], s.c[l]); // [B, H]
            in = s.h[l];
        }
        return in;
    }

    /**
     * The first LSTM layer's input products for every word, E [alpha Wx] [V, 4H], built on first use
     * and rebuilt when the parameters change; null when larger than {@link #WORD_GATES_MAX_BYTES}.
     * Decoding reads a row of it instead of multiplying the embedding by Wx: at batch 1 a step is
     * memory-bound, and this takes Wx (4 MB at 512x2048) out of what every token streams, so the
     * remaining weights (Wh and the output layer, ~24.5 MB for the standard case) can stay in a 32 MB
     * L3 cache.
     */
    private INDArray wordGates() {
        long bytes = (long) cfg.vocabSize() * 4L * cfg.hiddenDim() * type.width();
        if (bytes > WORD_GATES_MAX_BYTES) {
            return null;
        }
        if (wordGates == null || wordGatesVersion != params.version()) {
            wordGates = lstm[0].inputProducts(embed.table()); // [V, 4H]
            wordGatesVersion = params.version();
        }
        return wordGates;
    }

    // ---------------------------------------------------------------- checks

    private void checkFeatures(INDArray pooled, INDArray grid) {
        if (pooled.rank() != 2 || pooled.size(1) != cfg.featureDim()) {
            throw new IllegalArgumentException("pooled features must be [B, " + cfg.featureDim() + "], got "
                    + Arrays.toString(pooled.shape()));
        }
        if (attention != null) {
            if (grid == null) {
                throw new IllegalArgumentException("this model attends over grid features; grid is missing");
            }
            if (grid.rank() != 3 || grid.size(0) != pooled.size(0) || grid.size(2) != cfg.gridDim()) {
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
