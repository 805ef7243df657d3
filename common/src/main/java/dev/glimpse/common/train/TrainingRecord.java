package dev.glimpse.common.train;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a model came to be, saved inside the model file: configuration, data files with their
 * hashes, seed, encoder (and whether its weights were random), per-epoch metrics and the software
 * versions. Answers "which split, which settings, which code produced this number".
 */
public record TrainingRecord(String kind, String started, String finished, Map<String, Object> config,
                             List<DatasetFile> data, long seed, String encoder, boolean randomInitEncoder,
                             List<EpochMetrics> history, Map<String, String> versions) {

    public TrainingRecord {
        config = config == null ? Map.of() : new LinkedHashMap<>(config);
        data = data == null ? List.of() : List.copyOf(data);
        history = history == null ? List.of() : List.copyOf(history);
        versions = versions == null ? Versions.current() : Map.copyOf(versions);
    }

    public static TrainingRecord start(String kind, Map<String, Object> config, List<DatasetFile> data,
                                       long seed, String encoder, boolean randomInitEncoder) {
        return new TrainingRecord(kind, Instant.now().toString(), null, config, data, seed, encoder,
                randomInitEncoder, List.of(), Versions.current());
    }

    public TrainingRecord withEpoch(EpochMetrics m) {
        List<EpochMetrics> h = new ArrayList<>(history);
        h.add(m);
        return new TrainingRecord(kind, started, finished, config, data, seed, encoder, randomInitEncoder, h, versions);
    }

    public TrainingRecord finishedNow() {
        return new TrainingRecord(kind, started, Instant.now().toString(), config, data, seed, encoder,
                randomInitEncoder, history, versions);
    }

    /** Software versions of this run. */
    public static final class Versions {
        private Versions() {}

        public static Map<String, String> current() {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("glimpse", String.valueOf(TrainingRecord.class.getPackage().getImplementationVersion()));
            v.put("dl4j", "1.0.0-M2.1");
            v.put("java", System.getProperty("java.version"));
            v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            return v;
        }
    }
}
