using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

public sealed class PipelineYamlWriterTests : PipelineTestBase
{
    /// <summary>Two trees hold the same values (locations aside).</summary>
    private static void AssertSameValues(PipelineNode expected, PipelineNode actual, string path = "")
    {
        switch (expected)
        {
            case PipelineScalar e:
                var a = Assert.IsType<PipelineScalar>(actual);
                Assert.True(e.IsNull == a.IsNull, $"{path}: null differs");
                if (!e.IsNull)
                {
                    Assert.True(e.Text == a.Text, $"{path}: '{e.Text}' != '{a.Text}'");
                    Assert.True(e.Quoted == a.Quoted, $"{path}: quoting differs");
                }
                break;
            case PipelineMap e:
                var am = Assert.IsType<PipelineMap>(actual);
                Assert.Equal(e.Keys, am.Keys);
                foreach (var entry in e.Entries)
                    AssertSameValues(entry.Value, am[entry.Key]!, path + "." + entry.Key);
                break;
            case PipelineSequence e:
                var al = Assert.IsType<PipelineSequence>(actual);
                Assert.Equal(e.Items.Count, al.Items.Count);
                for (int i = 0; i < e.Items.Count; i++)
                    AssertSameValues(e.Items[i], al.Items[i], $"{path}[{i}]");
                break;
        }
    }

    [Fact]
    public void Resolved_text_round_trips()
    {
        Write("base.yaml", Quickstart);
        string path = Write("child.yaml", """
            extends: base.yaml
            description: "a: b # not a comment, \"quoted\" and ${'$'}{x}"
            tags:
              empty: ""
              nothing: ~
              number_text: '12'
              bool_text: "true"
              multi: |
                line one
                line two
              odd: "- dash"
              flow: "a, b"
              unicode: größe
            components:
              model: { channel_mults: [1, "2"] }
            stages:
              - { name: train, steps: "${components.data.image_size}" }
            """.Replace("${'$'}", "$$"));
        var doc = Load(path, "components.model.dropout=0.5", "seed=${env:DSL_TEST_UNSET_SEED,5}");
        string text = doc.ToYaml();

        var again = PipelineLoader.LoadText(text, Path.Combine(Dir, "again.yaml"));
        AssertSameValues(doc.Root, again.Root);
        Assert.Contains("$${x}", text);
        Assert.Equal("a: b # not a comment, \"quoted\" and ${x}", again.Find("description")!.ToString());

        var spec = PipelineBinder.Bind(doc, FakeCatalog.Instance);
        Assert.Equal(text, spec.ResolvedText);
        var specAgain = PipelineBinder.Bind(again, FakeCatalog.Instance);
        Assert.Equal(spec.Params.Where(p => p.Key != "name"), specAgain.Params.Where(p => p.Key != "name"));
    }

    [Fact]
    public void Awkward_values_round_trip()
    {
        string yaml = "x: [1, \"2\", \"a,b\", \"\", ~, \"- y\", \"[z]\", 'it''s']\n" +
                      "\"key with: colon\": { \"#\": \"null\", list: [[1, 2], {a: 1}], empty: {}, none: [] }\n" +
                      "nested:\n  - - a\n    - b\n  - {}\n";
        var doc = PipelineLoader.LoadText(yaml, Path.Combine(Dir, "a.yaml"));
        var again = PipelineLoader.LoadText(doc.ToYaml(), Path.Combine(Dir, "b.yaml"));
        AssertSameValues(doc.Root, again.Root);
    }

    [Fact]
    public void Resolved_text_is_block_yaml_with_flow_lists_of_values()
    {
        var doc = Load(Write("p.yaml", "name: x\ncomponents:\n  model: { plugin: unet2d, channel_mults: [1, 2] }\nstages:\n  - { name: a, type: evaluate }\n"));
        Assert.Equal("""
            name: x
            components:
              model:
                plugin: unet2d
                channel_mults: [1, 2]
            stages:
              - name: a
                type: evaluate

            """.Replace("\r\n", "\n"), doc.ToYaml());
    }
}
