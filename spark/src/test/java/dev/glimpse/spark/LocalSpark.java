package dev.glimpse.spark;

import dev.glimpse.common.Backend;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One local Spark context for all test classes of the fork (starting one takes seconds): two
 * task threads, and a failed task tried twice ({@code local[2,2]}). Spark stops it at JVM exit.
 */
final class LocalSpark {
    private static JavaSparkContext sc;

    private LocalSpark() {}

    static synchronized JavaSparkContext context() {
        if (sc == null) {
            Backend.init();
            sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("glimpse-test")
                    .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                    .set("spark.driver.host", "127.0.0.1"));
        }
        return sc;
    }
}
