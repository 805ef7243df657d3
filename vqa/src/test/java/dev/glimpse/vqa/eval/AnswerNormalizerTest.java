package dev.glimpse.vqa.eval;

import static dev.glimpse.vqa.eval.AnswerNormalizer.clean;
import static dev.glimpse.vqa.eval.AnswerNormalizer.normalize;
import static dev.glimpse.vqa.eval.AnswerNormalizer.processDigitArticle;
import static dev.glimpse.vqa.eval.AnswerNormalizer.processPunctuation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each rule of vqaEval's normalisation on inputs whose expected output was worked out by hand. */
class AnswerNormalizerTest {

    @Test
    void cleanTurnsNewlinesAndTabsIntoSpacesAndStripsPythonWhitespace() {
        assertEquals("red car", clean("  red\tcar\n"));
        assertEquals("red  car", clean("red\n\tcar"));
        // Python's strip() removes a no-break space and U+001F; String.strip() would keep the first.
        assertEquals("blue", clean("\u00a0blue\u001f"));
        assertEquals("", clean(" \t\n "));
    }

    @Test
    void markNextToASpaceIsDeletedEverywhere() {
        assertEquals("yes  it is", processPunctuation("yes , it is"));
        // one "- " occurrence decides for every '-' in the answer
        assertEquals("ab  c", processPunctuation("a-b - c"));
        assertEquals("why ", processPunctuation("why ?"));
    }

    @Test
    void markNotNextToASpaceBecomesASpace() {
        assertEquals("black white", processPunctuation("black/white"));
        assertEquals("t shirt ", processPunctuation("t-shirt?"));
        assertEquals(" hi ", processPunctuation("(hi)"));
        assertEquals("a b c d e", processPunctuation("a;b=c+d\\e"));
    }

    @Test
    void commaBetweenDigitsAnywhereDeletesEveryMark() {
        assertEquals("1000", processPunctuation("1,000"));
        assertEquals("1000yrx", processPunctuation("1,000/yr(x)"));
        // no digit on one side: the comma is an ordinary mark, replaced by a space
        assertEquals("a b", processPunctuation("a,b"));
    }

    @Test
    void colonApostropheAndOtherSymbolsAreNotTreated() {
        assertEquals("10:30", processPunctuation("10:30"));
        assertEquals("it's", processPunctuation("it's"));
        assertEquals("#1 & 50%", processPunctuation("#1 & 50%"));
    }

    @Test
    void periodIsDeletedUnlessADigitFollows() {
        assertEquals("eg", processPunctuation("e.g."));
        assertEquals("3.5", processPunctuation("3.5"));
        assertEquals("3", processPunctuation("3."));
        assertEquals(".5", processPunctuation(".5"));
        assertEquals("1.5x", processPunctuation("1.5.x"));
        // \d is Unicode in Python 3: an Arabic-Indic three keeps the period
        assertEquals("x.\u0663", processPunctuation("x.\u0663"));
    }

    @Test
    void atMostThirtyTwoPeriodsAreDeleted() {
        assertEquals("x" + ".".repeat(8), processPunctuation("x" + ".".repeat(40)));
        assertEquals("x", processPunctuation("x" + ".".repeat(32)));
    }

    @Test
    void numberWordsBecomeDigitsAndArticlesGo() {
        assertEquals("2 dogs", processDigitArticle("The Two Dogs"));
        assertEquals("0", processDigitArticle("none"));
        assertEquals("0", processDigitArticle("Zero"));
        assertEquals("10", processDigitArticle("ten"));
        assertEquals("eleven", processDigitArticle("eleven"));
        assertEquals("", processDigitArticle("a an the"));
        assertEquals("many spaces", processDigitArticle("  many   spaces "));
        // only whole words: "another" and "theater" keep their letters
        assertEquals("another theater", processDigitArticle("another theater"));
    }

    @Test
    void contractionsTableAppliesToWholeWordsAfterArticles() {
        assertEquals("don't", processDigitArticle("dont"));
        assertEquals("what's", processDigitArticle("the whats"));
        assertEquals("couldn't've", processDigitArticle("couldn'tve"));
        assertEquals("somebodyd", processDigitArticle("somebody'd"));   // the table's own quirk
        assertEquals("im", processDigitArticle("Im"));                   // key "Im" never matches lower case
        assertEquals("dontt", processDigitArticle("dontt"));
    }

    @Test
    void normalizeChainsAllSteps() {
        assertEquals("dog's ball", normalize("  The Dog's  ball.\n"));
        assertEquals("2", normalize("Two."));
        assertEquals("1000", normalize("1,000"));
        assertEquals("yes", normalize("Yes!"));
    }
}
