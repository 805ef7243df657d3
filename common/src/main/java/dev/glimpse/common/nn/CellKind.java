package dev.glimpse.common.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The recurrent cells a model can be built from: {@link Lstm}, {@link Gru} (PyTorch/cuDNN form) and the plain
 * tanh {@link Rnn}. Names in model files and on the command line are the lower-case forms.
 */
public enum CellKind {
    LSTM(4),
    GRU(3),
    RNN(1);

    private final int gates;

    CellKind(int gates) {
        this.gates = gates;
    }

    /** "lstm", "gru", "rnn": the name in model files and options. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The cell named by {@code text} (case-insensitive), or an exception listing the choices. */
    @JsonCreator
    public static CellKind parse(String text) {
        for (CellKind k : values()) {
            if (k.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown cell '" + text + "' (expected lstm, gru or rnn)");
    }

    /** Whether the state carries a memory cell c besides h (only the LSTM). */
    public boolean hasCell() {
        return this == LSTM;
    }

    /** Columns of {@link RecurrentLayer#inputProducts} per hidden unit. */
    public int gates() {
        return gates;
    }

    /** Declares one layer's parameters under {@code name}. */
    public void declare(Params.Builder builder, String name, int in, int hidden) {
        switch (this) {
            case LSTM -> Lstm.declare(builder, name, in, hidden);
            case GRU -> Gru.declare(builder, name, in, hidden);
            case RNN -> Rnn.declare(builder, name, in, hidden);
            default -> throw new AssertionError(this);
        }
    }

    /** The layer over parameters declared by {@link #declare}. */
    public RecurrentLayer create(Params params, String name) {
        return switch (this) {
            case LSTM -> new Lstm(params, name);
            case GRU -> new Gru(params, name);
            case RNN -> new Rnn(params, name);
        };
    }

    /** Parameter count of one layer, in long arithmetic (mirrors {@link #declare}). */
    public long parameterCount(long in, long hidden) {
        return switch (this) {
            case LSTM -> 4 * in * hidden + 4 * hidden * hidden + 4 * hidden;
            case GRU -> 3 * in * hidden + 3 * hidden * hidden + 4 * hidden;
            case RNN -> in * hidden + hidden * hidden + hidden;
        };
    }

    /** Parameter-name prefix of layer l in the models: "lstm0" as before, "gru0", "rnn0". */
    public String layerName(int layer) {
        return id() + layer;
    }
}
