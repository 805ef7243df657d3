package dev.glimpse.common.train;

import dev.glimpse.common.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the gradient flow through time, as the lecture does: |dLoss/dh_t| against the time step t on a log
 * scale, one line per epoch (at most {@link #MAX_LINES}, first and last always), so a gradient that dies out
 * going back in time shows as a falling line towards t = 0.
 */
public final class GradientFlowPlot {
    static final int MAX_LINES = 6;

    private GradientFlowPlot() {}

    /**
     * One line about the gradients of the last epoch: the global norm before clipping, the clipped fraction
     * and how |dLoss/dh_t| changes from the last time step back to the first; empty if nothing was recorded.
     */
    public static String summary(List<EpochMetrics> history) {
        if (history.isEmpty()) {
            return "";
        }
        EpochMetrics last = history.get(history.size() - 1);
        StringBuilder b = new StringBuilder();
        Double norm = last.validation().get("gradNormMean");
        if (norm != null) {
            b.append(String.format("gradient norm before clipping %.3g", norm));
            Double clipped = last.validation().get("clippedFraction");
            if (clipped != null) {
                b.append(String.format(", %.0f%% of steps clipped", 100 * clipped));
            }
        }
        List<Double> flow = last.gradFlow();
        if (flow.size() > 1 && flow.get(flow.size() - 1) > 0) {
            b.append(b.length() > 0 ? "; " : "").append(String.format(
                    "|dLoss/dh_t| %.3g at t=%d, %.3g at t=0 (x%.3g back through time)", flow.get(flow.size() - 1),
                    flow.size() - 1, flow.get(0), flow.get(0) / flow.get(flow.size() - 1)));
        }
        return b.length() == 0 ? "" : "epoch " + last.epoch() + ": " + b;
    }

    /** Writes the picture of the epochs that have a gradient flow; returns false (and writes nothing) if none has. */
    public static boolean write(Path png, String title, List<EpochMetrics> history) throws IOException {
        List<EpochMetrics> withFlow = new ArrayList<>();
        for (EpochMetrics m : history) {
            if (!m.gradFlow().isEmpty()) {
                withFlow.add(m);
            }
        }
        if (withFlow.isEmpty()) {
            return false;
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("time step t").yAxisTitle("|dLoss/dh_t|").build();
        chart.getStyler().setYAxisLogarithmic(true);
        int stride = Math.max(1, (withFlow.size() + MAX_LINES - 2) / (MAX_LINES - 1));
        for (int i = 0; i < withFlow.size(); i++) {
            if (i % stride != 0 && i != withFlow.size() - 1) {
                continue;
            }
            EpochMetrics m = withFlow.get(i);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int t = 0; t < m.gradFlow().size(); t++) {
                double v = m.gradFlow().get(t);
                if (v > 0 && Double.isFinite(v)) { // a log axis cannot show 0
                    x.add((double) t);
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries("epoch " + m.epoch(), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return false;
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
        return true;
    }
}
