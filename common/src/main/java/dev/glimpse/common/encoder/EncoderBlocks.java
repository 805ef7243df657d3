package dev.glimpse.common.encoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * Where an encoder can be cut in two: the vertices every path from the image to the features passes
 * through (in topological order, every edge crossing such a vertex's position leaves from it). The
 * stretches between consecutive cut points that hold parameters are the blocks {@link FineTune}
 * counts; the split for the last N blocks is the cut point just before them.
 *
 * @param split     vertex whose activation the trainable part starts from; null = the image itself
 * @param trainable vertices whose parameters train (from the split to the grid; past the grid, e.g.
 *                  VGG's dense layers to the pooled vector, only with {@code all})
 * @param blocks    parameter-holding blocks up to the grid, for messages
 */
record EncoderBlocks(String split, Set<String> trainable, int blocks) {

    static EncoderBlocks of(ComputationGraphConfiguration conf, FeatureLayers layers, FineTune mode) throws RebuildUnsupported {
        List<String> outputs = layers.pooled() == null ? List.of(layers.grid()) : List.of(layers.grid(), layers.pooled());
        GraphWalk walk = new GraphWalk(conf, outputs);
        List<String> order = walk.order();
        Map<String, Integer> pos = new HashMap<>();
        pos.put(walk.input(), -1);
        for (int i = 0; i < order.size(); i++) {
            pos.put(order.get(i), i);
        }
        int gridAt = pos.get(layers.grid());
        // Edges (from -> to) in order positions; a position i is a cut when no edge from before i reaches past i.
        int furthest = -1;
        List<String> cuts = new ArrayList<>();
        List<String> all = new ArrayList<>();
        all.add(walk.input());
        all.addAll(order);
        for (int i = -1; i <= gridAt; i++) {
            String v = all.get(i + 1);
            boolean isCut = furthest <= i;
            for (String c : walk.consumers(v)) {
                Integer p = pos.get(c);
                if (p != null) {
                    furthest = Math.max(furthest, p);
                }
            }
            if (isCut) {
                cuts.add(v);
            }
        }
        // Blocks: stretches (cut_k, cut_k+1] with parameters; walk back from the grid.
        List<String> blockStarts = new ArrayList<>(); // the cut point before each parameter block, last block first
        for (int k = cuts.size() - 1; k >= 1; k--) {
            int from = pos.get(cuts.get(k - 1));
            int to = pos.get(cuts.get(k));
            boolean params = false;
            for (int i = from + 1; i <= to; i++) {
                params |= conf.getVertices().get(order.get(i)).numParams(false) > 0;
            }
            if (params) {
                blockStarts.add(cuts.get(k - 1));
            }
        }
        int blocks = blockStarts.size();
        String split;
        if (mode.all() || mode.blocks() >= blocks) {
            split = null;
        } else if (mode.none()) {
            throw new IllegalArgumentException("nothing to split with fine-tune none");
        } else {
            split = blockStarts.get(mode.blocks() - 1);
            // A block start right after the image input would be the image itself.
            if (split.equals(walk.input())) {
                split = null;
            }
        }
        Set<String> trainable = new LinkedHashSet<>();
        int from = split == null ? 0 : pos.get(split) + 1;
        for (int i = from; i < order.size(); i++) {
            if (i <= gridAt || mode.all() || split == null) {
                trainable.add(order.get(i));
            }
        }
        return new EncoderBlocks(split, trainable, blocks);
    }
}
