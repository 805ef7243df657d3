package dev.glimpse.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the real page in headless Chromium (Debian's chromium + chromium-driver, installed by
 * .ci/run): upload, caption, hover a word, ask. Keeps a screenshot in target/screenshots.
 */
class BrowserTest {
    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path DRIVER = Paths.get("/usr/bin/chromedriver");

    static GlimpseServer server;
    static ChromeDriver driver;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "Chromium not installed (apt-get install chromium chromium-driver; .ci/run does this)");
        Backend.init();
        server = new GlimpseServer(new FakeEngine().services(ServerLimits.defaults()), ServerLimits.defaults()).start("127.0.0.1", 0);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900", "--user-data-dir=" + tmp.resolve("profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void uploadCaptionHoverAndAsk() throws Exception {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        Path image = tmp.resolve("blue.png");
        Files.write(image, TestImages.png(Color.BLUE, 96));
        driver.findElement(By.id("file")).sendKeys(image.toString());

        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.until(d -> d.findElements(By.cssSelector("#caption .word")).size() >= 3);
        List<WebElement> words = driver.findElements(By.cssSelector("#caption .word"));
        assertEquals("blue", words.get(1).getText());

        new Actions(driver).moveToElement(words.get(1)).perform();
        wait.until(d -> "blue".equals(d.findElement(By.id("overlay")).getAttribute("data-word")));
        // The heat map must be painted, and strongest in the top-left quarter (where the white square is).
        Object alphaTopLeft = ((JavascriptExecutor) driver).executeScript(
                "const c = document.getElementById('overlay'); const x = c.getContext('2d');"
                        + "return x.getImageData(c.width/8, c.height/8, 1, 1).data[3];");
        Object alphaBottomRight = ((JavascriptExecutor) driver).executeScript(
                "const c = document.getElementById('overlay'); const x = c.getContext('2d');"
                        + "return x.getImageData(c.width*7/8, c.height*7/8, 1, 1).data[3];");
        assertTrue(((Number) alphaTopLeft).intValue() > ((Number) alphaBottomRight).intValue() + 50,
                "overlay alpha top-left " + alphaTopLeft + " vs bottom-right " + alphaBottomRight);

        driver.findElement(By.id("question")).sendKeys("what color is it?");
        driver.findElement(By.id("ask-button")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#answers .answer")).isEmpty());
        List<WebElement> answers = driver.findElements(By.cssSelector("#answers .answer"));
        assertEquals(3, answers.size());
        assertTrue(answers.get(0).getText().startsWith("blue"), answers.get(0).getText());
        assertFalse(driver.findElement(By.id("error")).isDisplayed());

        Path shots = Paths.get("target", "screenshots");
        Files.createDirectories(shots);
        Files.write(shots.resolve("glimpse-page.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void badUploadShowsTheServersMessage() throws Exception {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        Path notImage = tmp.resolve("notes.png");
        Files.writeString(notImage, "this is text, not a picture");
        driver.findElement(By.id("file")).sendKeys(notImage.toString());
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.until(d -> d.findElement(By.id("error")).isDisplayed());
        assertTrue(driver.findElement(By.id("error")).getText().contains("notes.png"),
                driver.findElement(By.id("error")).getText());
    }
}
