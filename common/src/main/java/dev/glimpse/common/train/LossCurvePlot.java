package dev.glimpse.common.train;

import dev.glimpse.common.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes the loss curve PNG at the end of training (XChart: a maintained plotting library). */
public final class LossCurvePlot {
    private LossCurvePlot() {}

    /** A named series of (iteration, value) points. */
    public record Series(String name, List<double[]> points) {}

    public static void write(Path png, String title, List<Series> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("iteration").yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            double[] x = new double[s.points().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.points().get(i)[0];
                y[i] = s.points().get(i)[1];
            }
            chart.addSeries(s.name(), x, y).setMarker(x.length > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }
}
