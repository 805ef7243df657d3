package dev.glimpse.captioning.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over a batch of images, all beams of all images as one batch of rows. Each step
 * every image keeps its {@code k} best extensions; an extension ending in {@code <end>} is set
 * aside as finished and the image's {@code k} shrinks, so finished beams cost nothing more. The
 * step cap ends the search; an image whose beams never produced {@code <end>} falls back to its
 * best unfinished beam rather than failing (sgrvinod #18, #142: {@code max()} of an empty list).
 */
public final class BeamSearchDecoder implements CaptionDecoder {
    private final DecodeOptions options;
    private final TokenRules rules;

    public BeamSearchDecoder(DecodeOptions options) {
        this.options = options;
        this.rules = new TokenRules(options);
    }

    /** A live beam: its image, words so far, their log probability and per-word attention. */
    private record Beam(int image, int[] words, double logProb, float[][] attention) {
        Beam extend(int id, double logP, float[] att) {
            int[] w = Arrays.copyOf(words, words.length + 1);
            w[words.length] = id;
            float[][] a = null;
            if (attention != null && att != null) {
                a = Arrays.copyOf(attention, attention.length + 1);
                a[attention.length] = att.clone();
            }
            return new Beam(image, w, logProb + logP, a);
        }
    }

    /** One candidate extension: the row it continues, the word, and the total log probability. */
    private record Candidate(int row, int id, double logProb) {}

    @Override
    public List<Decoded> decode(DecoderStep step, int images) {
        int k = options.beamWidth();
        int[] beamsLeft = new int[images];
        Arrays.fill(beamsLeft, k);
        List<List<Hypothesis>> finished = new ArrayList<>();
        List<List<Beam>> lastAlive = new ArrayList<>();
        List<Beam> live = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            finished.add(new ArrayList<>());
            lastAlive.add(List.of());
            live.add(new Beam(i, new int[0], 0, new float[0][]));
        }
        int[] tokens = new int[images];
        Arrays.fill(tokens, TokenRules.START);

        for (int t = 0; t < options.maxLength() && !live.isEmpty(); t++) {
            float[][] probs = step.next(tokens);
            float[][] att = step.attention();
            List<List<Candidate>> candidates = new ArrayList<>();
            List<List<Beam>> alive = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                candidates.add(new ArrayList<>());
                alive.add(new ArrayList<>());
            }
            for (int r = 0; r < live.size(); r++) {
                Beam beam = live.get(r);
                alive.get(beam.image()).add(beam);
                for (int id : rules.topK(probs[r], beamsLeft[beam.image()], t)) {
                    candidates.get(beam.image()).add(new Candidate(r, id, beam.logProb() + Math.log(probs[r][id])));
                }
            }
            List<Beam> next = new ArrayList<>();
            List<Integer> parents = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                if (!alive.get(i).isEmpty()) {
                    lastAlive.set(i, alive.get(i));
                }
                List<Candidate> c = candidates.get(i);
                // Stable sort: equal scores keep row-then-id order, the same tie rule as greedy.
                c.sort(Comparator.comparingDouble(Candidate::logProb).reversed());
                int keep = Math.min(beamsLeft[i], c.size());
                for (int j = 0; j < keep; j++) {
                    Candidate cand = c.get(j);
                    Beam parent = live.get(cand.row());
                    double logP = Math.log(probs[cand.row()][cand.id()]);
                    if (cand.id() == TokenRules.END) {
                        finished.get(i).add(hypothesis(parent.words(), parent.logProb() + logP, true,
                                parent.attention(), att != null));
                        beamsLeft[i]--;
                    } else {
                        next.add(parent.extend(cand.id(), logP, att == null ? null : att[cand.row()]));
                        parents.add(cand.row());
                    }
                }
            }
            live = next;
            if (live.isEmpty()) {
                break;
            }
            step.select(parents.stream().mapToInt(Integer::intValue).toArray());
            tokens = live.stream().mapToInt(b -> b.words()[b.words().length - 1]).toArray();
        }
        // Beams still alive when the step cap ended the search are the cut captions to fall back on.
        List<List<Beam>> cut = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            cut.add(new ArrayList<>());
        }
        for (Beam b : live) {
            cut.get(b.image()).add(b);
        }
        for (int i = 0; i < images; i++) {
            if (!cut.get(i).isEmpty()) {
                lastAlive.set(i, cut.get(i));
            }
        }

        List<Decoded> out = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            List<Hypothesis> ranked = new ArrayList<>(finished.get(i));
            if (ranked.isEmpty()) {
                for (Beam b : lastAlive.get(i)) {
                    ranked.add(hypothesis(b.words(), b.logProb(), false, b.attention(), b.attention() != null));
                }
            }
            ranked.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
            out.add(new Decoded(ranked.get(0), ranked.subList(1, ranked.size())));
        }
        return out;
    }

    private Hypothesis hypothesis(int[] words, double logProb, boolean ended, float[][] attention,
                                  boolean withAttention) {
        int length = words.length + (ended ? 1 : 0);
        return new Hypothesis(words, logProb, options.score(logProb, length), ended,
                withAttention && attention != null ? attention : null);
    }
}
