using Diffusion.Modalities.Text;
using Diffusion.Modalities.Text.Corpora;

namespace Diffusion.Plugins.Tests.Text;

public class CorpusTests
{
    [Fact]
    public void Fortune_files_split_on_lines_holding_only_a_percent_sign()
    {
        const string text = "First one.\n%\nSecond,\n  on two lines.\n%\n%\n50% off is not a separator\n%\n";

        var entries = TextCorpora.ParseFortunes(text);

        Assert.Equal(["First one.", "Second,\n  on two lines.", "50% off is not a separator"], entries);
    }

    [Fact]
    public void A_fortune_folder_reads_its_files_but_not_the_dat_indexes_or_links()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "b"), "Bee.\n%\nBuzz.\n");
        File.WriteAllText(Path.Combine(folder.Path, "a"), "Ant.\n");
        File.WriteAllBytes(Path.Combine(folder.Path, "a.dat"), [0, 1, 2, 37]);
        File.CreateSymbolicLink(Path.Combine(folder.Path, "a.u8"), Path.Combine(folder.Path, "a"));

        Assert.Equal(["Ant.", "Bee.", "Buzz."], TextCorpora.Fortunes(folder.Path));
        var missing = Assert.Throws<PluginInputException>(() => TextCorpora.Fortunes(Path.Combine(folder.Path, "nope")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void The_installed_debian_fortunes_parse_into_many_entries()
    {
        string file = Path.Combine(TextCorpora.DebianFortunes, "fortunes");
        if (!File.Exists(file))
        {
            // CI installs Debian's fortunes package; elsewhere there is nothing to read.
            return;
        }

        var entries = TextCorpora.Fortunes(file);

        Assert.True(entries.Count > 300, $"{entries.Count} entries");
        Assert.DoesNotContain(entries, e => e.Split('\n').Contains("%"));
    }

    [Fact]
    public void The_builtin_corpus_has_a_few_hundred_short_lines()
    {
        var lines = TextCorpora.Builtin();

        Assert.InRange(lines.Count, 200, 1000);
        Assert.All(lines, l => Assert.InRange(l.Length, 1, 47));
    }

    [Fact]
    public void The_split_is_deterministic_disjoint_and_near_the_fraction()
    {
        using var a = new TextModality(new TextModalityOptions { SeqLen = 48 }).Load(DataSplit.Train);
        using var b = new TextModality(new TextModalityOptions { SeqLen = 48 }).Load(DataSplit.Train);
        var modality = new TextModality(new TextModalityOptions { SeqLen = 48 });
        using var test = modality.Load(DataSplit.Test);

        Assert.True(a.Items.eq(b.Items).all().item<bool>());
        Assert.Equal(ScalarType.Int64, a.Items.dtype);
        Assert.Equal(48, a.Items.shape[1]);
        Assert.Equal(TextCorpora.Builtin().Count, a.Count + test.Count);
        Assert.InRange(test.Count / (double)(a.Count + test.Count), 0.04, 0.2);
        Assert.Empty(modality.Dataset.TrainEntries.Intersect(modality.Dataset.TestEntries));
        Assert.True(a.Items.lt(modality.Spec.VocabSize).all().item<bool>());
    }

    [Fact]
    public void A_text_file_corpus_gives_one_entry_per_line_and_samples_are_written_as_text()
    {
        using var folder = new TempFolder();
        string file = Path.Combine(folder.Path, "lines.txt");
        File.WriteAllText(file, "abc\n\nbca\ncab\n");
        var modality = new TextModality(new TextModalityOptions { Corpus = TextCorpus.File, Path = file, SeqLen = 5, TestFraction = 0 });
        using var context = new FakeRunContext();

        using var train = modality.Load(DataSplit.Train);
        Assert.Equal(3, train.Count);
        modality.WriteSamples(train.Items, "sample", context);

        string written = File.ReadAllText(Path.Combine(context.Artifacts.Root, "sample.txt"));
        Assert.Equal("abc\n%\nbca\n%\ncab\n", written);
        Assert.Equal(("sample.txt", TextSamples.ArtifactKind), Assert.Single(context.Artifacts.Recorded));
    }
}
