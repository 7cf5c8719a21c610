using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

public sealed class PipelineLoaderTests : PipelineTestBase
{
    private static List<string> LoadErrors(string path, params string[] overrides)
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Load(path, overrides));
        return ex.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Nodes_carry_one_based_locations()
    {
        string path = Write("p.yaml", "seed: 1\ncomponents:\n  model:\n    plugin: unet2d\n    channel_mults: [1, 2]\n");
        var doc = Load(path);
        Assert.Equal(new SourceLocation(path, 1, 7), doc.Find("seed")!.Location);
        Assert.Equal(new SourceLocation(path, 4, 13), doc.Find("components.model.plugin")!.Location);
        var mults = Assert.IsType<PipelineSequence>(doc.Find("components.model.channel_mults"));
        Assert.Equal(new SourceLocation(path, 5, 24), mults.Items[1].Location);
        var model = Assert.IsType<PipelineMap>(doc.Find("components.model"));
        Assert.Equal(new SourceLocation(path, 4, 5), model.Find("plugin")!.KeyLocation);
    }

    [Fact]
    public void Quoted_scalars_are_marked()
    {
        var doc = Load(Write("p.yaml", "a: '12'\nb: 12\nc: !!str 12\nd: ~\ne: \"\"\n"));
        Assert.True(((PipelineScalar)doc.Find("a")!).Quoted);
        Assert.False(((PipelineScalar)doc.Find("b")!).Quoted);
        Assert.True(((PipelineScalar)doc.Find("c")!).Quoted);
        Assert.True(((PipelineScalar)doc.Find("d")!).IsNull);
        Assert.False(((PipelineScalar)doc.Find("e")!).IsNull);
    }

    [Fact]
    public void Yaml_syntax_error_is_reported_at_its_mark()
    {
        string path = Write("bad.yaml", "name: x\ncomponents:\n  model: { plugin: unet2d\nstages: []\n");
        Assert.Equal([$"{path}:3:10: error: this '{{' is not closed"], LoadErrors(path));
    }

    [Fact]
    public void Unclosed_flow_list_is_a_located_error_not_an_exception()
    {
        string path = Write("bad.yaml", "a: [1, 2\nb: 3\n");
        Assert.Equal([$"{path}:1:4: error: this '[' is not closed"], LoadErrors(path));
    }

    [Fact]
    public void Scanner_errors_keep_yaml_dotnet_messages()
    {
        string path = Write("bad.yaml", "name: x\na: b: c\n");
        Assert.Equal([$"{path}:2:5: error: While scanning a plain scalar value, found invalid mapping."], LoadErrors(path));
    }

    [Fact]
    public void Duplicate_keys_are_all_reported()
    {
        string path = Write("dup.yaml", "seed: 1\nname: a\nseed: 2\ncomponents:\n  m: { plugin: x, plugin: y }\n");
        Assert.Equal(
            [
                $"{path}:3:1: error: duplicate key 'seed' (first written at line 1)",
                $"{path}:5:19: error: duplicate key 'plugin' (first written at line 5)",
            ],
            LoadErrors(path));
    }

    [Fact]
    public void Missing_file_is_reported_at_line_one()
    {
        string path = Path.Combine(Dir, "nope.yaml");
        Assert.Equal([$"{path}:1:1: error: pipeline file not found: {path}"], LoadErrors(path));
    }

    [Fact]
    public void A_file_must_be_a_map_with_one_document()
    {
        string path = Write("p.yaml", "- a\n- b\n");
        Assert.Equal([$"{path}:1:1: error: a pipeline file is a map of keys (name, components, stages, ...), not a list"], LoadErrors(path));
        string two = Write("two.yaml", "a: 1\n---\nb: 2\n");
        Assert.Equal([$"{two}:2:1: error: a pipeline file holds a single YAML document; remove the second '---'"], LoadErrors(two));
    }

    [Fact]
    public void Empty_file_is_an_empty_pipeline()
    {
        var doc = Load(Write("empty.yaml", ""));
        Assert.Empty(doc.Root.Entries);
    }

    [Fact]
    public void Anchors_and_aliases_are_copied()
    {
        var doc = Load(Write("p.yaml", "a: &mults [1, 2]\nb: *mults\n"));
        var b = Assert.IsType<PipelineSequence>(doc.Find("b"));
        Assert.Equal(["1", "2"], b.Items.Select(i => ((PipelineScalar)i).Text));
    }

    [Fact]
    public void Extends_merges_maps_and_named_lists()
    {
        Write("base.yaml", Quickstart + "\ntags: { team: vision, owner: ann }\n");
        string child = Write("child.yaml", """
            extends: base.yaml
            name: child
            tags: { owner: bob }
            components:
              model: { base_channels: 64 }
              extra: { plugin: identity }
            stages:
              - { name: train, steps: 10 }
              - { name: eval2, type: evaluate, data: data }
            """);
        var doc = Load(child);
        Assert.Null(doc.Root["extends"]);
        Assert.Equal("child", doc.Find("name")!.ToString());
        Assert.Equal("42", doc.Find("seed")!.ToString());
        Assert.Equal("vision", doc.Find("tags.team")!.ToString());
        Assert.Equal("bob", doc.Find("tags.owner")!.ToString());
        Assert.Equal("unet2d", doc.Find("components.model.plugin")!.ToString());
        Assert.Equal("64", doc.Find("components.model.base_channels")!.ToString());
        Assert.Equal(["data", "model", "noise", "clamp", "extra"], ((PipelineMap)doc.Find("components")!).Keys);

        var stages = Assert.IsType<PipelineSequence>(doc.Find("stages"));
        Assert.Equal(["train", "sample", "post", "eval", "eval2"], stages.Items.Select(i => ((PipelineMap)i)["name"]!.ToString()));
        Assert.Equal("10", doc.Find("stages.train.steps")!.ToString());
        Assert.Equal("noise", doc.Find("stages.train.sampler")!.ToString());

        // Values keep the file they came from.
        Assert.Equal(Path.Combine(Dir, "base.yaml"), doc.Find("components.model.plugin")!.Location.File);
        Assert.Equal(child, doc.Find("components.model.base_channels")!.Location.File);

        var spec = PipelineBinder.Bind(doc, FakeCatalog.Instance);
        Assert.Equal(10, StageOptions<TestTrainOptions>(spec, "train").Steps);
    }

    [Fact]
    public void Extends_replaces_plain_lists_and_takes_a_list_of_bases_in_order()
    {
        Write("a.yaml", "seed: 1\ncomponents: { model: { plugin: unet2d, channel_mults: [1, 2, 4] } }\n");
        Write("b.yaml", "seed: 2\ndevice: cpu\n");
        string child = Write("sub/child.yaml", "extends: [../a.yaml, ../b.yaml]\ncomponents: { model: { channel_mults: [8] } }\n");
        var doc = Load(child);
        Assert.Equal("2", doc.Find("seed")!.ToString());
        Assert.Equal("cpu", doc.Find("device")!.ToString());
        var mults = Assert.IsType<PipelineSequence>(doc.Find("components.model.channel_mults"));
        Assert.Equal(["8"], mults.Items.Select(i => i.ToString()));
    }

    [Fact]
    public void Extends_is_recursive()
    {
        Write("root.yaml", "seed: 7\n");
        Write("mid.yaml", "extends: root.yaml\ndevice: cpu\n");
        var doc = Load(Write("leaf.yaml", "extends: mid.yaml\n"));
        Assert.Equal("7", doc.Find("seed")!.ToString());
        Assert.Equal("cpu", doc.Find("device")!.ToString());
    }

    [Fact]
    public void Missing_extends_file_is_reported_at_the_value_with_the_resolved_path()
    {
        string path = Write("p.yaml", "name: x\nextends: base/missing.yaml\n");
        Assert.Equal([$"{path}:2:10: error: extends file not found: {Path.Combine(Dir, "base", "missing.yaml")}"], LoadErrors(path));
    }

    [Fact]
    public void Extends_cycle_is_an_error()
    {
        string a = Write("a.yaml", "extends: b.yaml\n");
        string b = Write("b.yaml", "extends: a.yaml\n");
        Assert.Equal([$"{b}:1:10: error: extends cycle: {a} -> {b} -> {a}"], LoadErrors(a));
    }

    [Fact]
    public void Errors_in_a_base_file_name_that_file()
    {
        string parent = Write("base.yaml", "seed: 1\nseed: 2\n");
        string child = Write("child.yaml", "extends: base.yaml\n");
        Assert.Equal([$"{parent}:2:1: error: duplicate key 'seed' (first written at line 1)"], LoadErrors(child));
    }

    [Fact]
    public void Plugin_folders_are_made_absolute_relative_to_the_file_that_lists_them()
    {
        Write("shared/base.yaml", "plugins: [../my-plugins]\n");
        var doc = Load(Write("p.yaml", "extends: shared/base.yaml\n"));
        Assert.Equal([Path.Combine(Dir, "my-plugins")], doc.PluginFolders);
        Assert.Equal(Path.Combine(Dir, "my-plugins"), doc.Find("plugins.0")!.ToString());

        var single = Load(Write("q.yaml", "plugins: extra\n"));
        Assert.Equal([Path.Combine(Dir, "extra")], single.PluginFolders);
    }

    [Fact]
    public void LoadText_reads_text_as_if_it_were_the_file()
    {
        Write("base.yaml", "seed: 5\n");
        var doc = PipelineLoader.LoadText("extends: base.yaml\nname: t\n", Path.Combine(Dir, "virtual.yaml"));
        Assert.Equal("5", doc.Find("seed")!.ToString());
        Assert.Equal(Path.Combine(Dir, "virtual.yaml"), doc.FilePath);
    }
}
