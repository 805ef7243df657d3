package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.text.Tokenizer;
import dev.glimpse.common.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The training questions turned into what the network eats: the question vocabulary and answer
 * vocabulary built from them, and per kept question its token ids and target. Questions whose
 * answers are all outside the answer vocabulary (or that have no words) are dropped and counted;
 * over-long questions are cut to the limit and counted.
 */
public record VqaTrainingSet(QuestionEncoder questions, AnswerVocabulary answers, List<Example> examples,
                             int droppedNoAnswer, int droppedNoWords, int truncated) {

    /** One kept question. */
    public record Example(long questionId, long imageId, int[] tokens, AnswerTargets.Target target) {}

    public static VqaTrainingSet prepare(List<VqaItem> train, VqaTrainConfig cfg) {
        if (train.isEmpty()) {
            throw new GlimpseException("no training questions");
        }
        List<List<String>> tokenized = new ArrayList<>(train.size());
        List<List<String>> answerLists = new ArrayList<>(train.size());
        for (VqaItem item : train) {
            tokenized.add(Tokenizer.words(item.question()));
            answerLists.add(item.answers());
        }
        Vocabulary words = Vocabulary.build(tokenized, cfg.minWordCount());
        AnswerVocabulary answers = AnswerVocabulary.build(answerLists, cfg.answers());
        return encode(train, new QuestionEncoder(words, cfg.maxQuestionLength()), answers, cfg.targets());
    }

    /** Encodes with given vocabularies (a resumed run reuses the checkpoint's). */
    public static VqaTrainingSet encode(List<VqaItem> train, QuestionEncoder questions, AnswerVocabulary answers,
                                        TargetMode mode) {
        AnswerTargets targets = new AnswerTargets(answers, mode);
        List<Example> examples = new ArrayList<>(train.size());
        int noAnswer = 0;
        int noWords = 0;
        int truncated = 0;
        for (VqaItem item : train) {
            Optional<AnswerTargets.Target> t = targets.target(item.answers());
            if (t.isEmpty()) {
                noAnswer++;
                continue;
            }
            int[] tokens = questions.encodeTruncating(item.question());
            if (tokens.length == 0) {
                noWords++;
                continue;
            }
            if (questions.tooLong(item.question())) {
                truncated++;
            }
            examples.add(new Example(item.questionId(), item.imageId(), tokens, t.get()));
        }
        if (examples.isEmpty()) {
            throw new GlimpseException("no training question has an answer in the answer vocabulary");
        }
        return new VqaTrainingSet(questions, answers, List.copyOf(examples), noAnswer, noWords, truncated);
    }

    /** A one-line account for the log and the training record. */
    public String summary(int total) {
        return String.format("%d of %d training questions kept; %d dropped (no answer among the top %d), "
                        + "%d dropped (no words), %d cut to %d words; %d question words, %d answers",
                examples.size(), total, droppedNoAnswer, answers.size(), droppedNoWords, truncated,
                questions.maxLength(), questions.vocabulary().size(), answers.size());
    }
}
