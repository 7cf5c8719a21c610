using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Samplers;
using Diffusion.Stages.Training;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

public class TrainingBatchTests
{
    private static readonly DataSpec Images = new("image", [2, 4, 4], NumClasses: 3);
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Linear, 100, 1e-4, 0.02, PredictionType.Epsilon);

    private static TrainingBatch Draw(ModalityData data, DataSpec spec, int count, TrainStageOptions options)
    {
        using var generator = new Generator(11, CPU);
        return TrainingBatch.Draw(data, spec, Schedule, count, options, generator, CPU);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void The_noise_offset_is_constant_over_the_pixels_of_each_channel()
    {
        using var scope = NewDisposeScope();
        using var data = new ModalityData(randn(10, 2, 4, 4), null, null);

        var plain = Draw(data, Images, 8, new TrainStageOptions());
        var offset = Draw(data, Images, 8, new TrainStageOptions { NoiseOffset = 0.1 });

        Assert.True(Same(plain.X0, offset.X0) && Same(plain.T, offset.T));
        var shift = offset.Noise - plain.Noise;
        Assert.True(shift.allclose(shift[.., .., 0, 0].unsqueeze(-1).unsqueeze(-1).expand_as(shift), rtol: 0, atol: 1e-6));
        Assert.InRange(shift[.., .., 0, 0].std().item<float>(), 0.03, 0.3);
    }

    [Theory]
    [InlineData("image", new long[] { 5, 2, 4, 4 }, new long[] { 5, 2, 1, 1 })]
    [InlineData("vector", new long[] { 5, 7 }, new long[] { 5, 1 })]
    [InlineData("embeddings", new long[] { 5, 9, 3 }, new long[] { 5, 1, 3 })]
    public void The_noise_offset_shape_follows_the_kind_of_data(string kind, long[] shape, long[] expected)
    {
        Assert.Equal(expected, TrainingBatch.OffsetShape(new DataSpec(kind, shape[1..]), shape));
    }

    [Fact]
    public void Condition_dropout_replaces_about_the_chosen_share_of_labels_with_no_class()
    {
        using var scope = NewDisposeScope();
        using var data = new ModalityData(randn(50, 2, 4, 4), randint(0, 3, [50], dtype: ScalarType.Int64), null);

        var batch = Draw(data, Images, 4000, new TrainStageOptions { CondDropout = 0.25 });
        var labels = batch.Conditioning(3)!.ClassLabels!;

        double share = labels.eq(3).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(share, 0.22, 0.28);
        Assert.True(Same(labels.eq(3), batch.Dropped!));
        Assert.True(Same(labels.where(batch.Dropped!.logical_not(), batch.Labels!), batch.Labels!), "kept labels are unchanged");
        Assert.True(Draw(data, Images, 16, new TrainStageOptions()).Conditioning(3)!.ClassLabels!.lt(3).all().item<bool>());
    }

    [Fact]
    public void Dropping_a_condition_zeroes_its_context_and_keeps_concat_inputs()
    {
        using var scope = NewDisposeScope();
        var conditioning = new Conditioning(ClassLabels: tensor(new long[] { 0, 1 }), Context: ones(2, 3, 4), Concat: ones(2, 1, 2, 2));

        var dropped = ConditionDropout.Apply(conditioning, tensor(new[] { false, true }), numClasses: 5);

        Assert.Equal([0L, 5L], dropped.ClassLabels!.data<long>().ToArray());
        Assert.Equal(12f, dropped.Context![0].sum().item<float>());
        Assert.Equal(0f, dropped.Context![1].abs().sum().item<float>());
        Assert.Same(conditioning.Concat, dropped.Concat);
    }

    [Fact]
    public void Dropping_a_condition_pads_its_tokens_and_zeroes_its_image()
    {
        using var scope = NewDisposeScope();
        var conditioning = new Conditioning { Tokens = tensor(new long[,] { { 3, 4, 0 }, { 5, 6, 7 } }), Image = ones(2, 1, 2, 2) };

        var dropped = ConditionDropout.Apply(conditioning, tensor(new[] { true, false }), numClasses: 0);

        Assert.Equal([0L, 0L, 0L, 5L, 6L, 7L], dropped.Tokens!.data<long>().ToArray());
        Assert.Equal(0f, dropped.Image![0].abs().sum().item<float>());
        Assert.Equal(4f, dropped.Image![1].sum().item<float>());
    }

    [Fact]
    public void A_batch_carries_the_condition_tokens_and_images_of_its_items()
    {
        using var scope = NewDisposeScope();
        var items = arange(20, dtype: ScalarType.Float32).reshape(20, 1, 1, 1).expand(20, 2, 4, 4).contiguous();
        using var data = new ModalityData(items, null, null)
        {
            ConditionTokens = arange(20, dtype: ScalarType.Int64).unsqueeze(1).expand(20, 3).contiguous(),
            ConditionImages = arange(20, dtype: ScalarType.Float32).reshape(20, 1, 1, 1).expand(20, 1, 2, 2).contiguous(),
        };
        var batch = Draw(data, new DataSpec("image", [2, 4, 4]), 8, new TrainStageOptions());

        var conditioning = batch.Conditioning(0)!;

        var item = batch.X0[.., 0, 0, 0].to(ScalarType.Int64);
        Assert.True(Same(conditioning.Tokens![.., 0], item), "tokens belong to the drawn items");
        Assert.True(Same(conditioning.Image![.., 0, 0, 0].to(ScalarType.Int64), item), "images belong to the drawn items");
        Assert.Null(conditioning.ClassLabels);
    }

    [Fact]
    public void Micro_batches_are_slices_of_the_step_batch()
    {
        using var scope = NewDisposeScope();
        using var data = new ModalityData(randn(30, 2, 4, 4), randint(0, 3, [30], dtype: ScalarType.Int64), null);
        var batch = Draw(data, Images, 6, new TrainStageOptions { CondDropout = 0.5 });

        var second = batch.Slice(3, 3);

        Assert.True(Same(second.X0, batch.X0.narrow(0, 3, 3)));
        Assert.True(Same(second.Noise, batch.Noise.narrow(0, 3, 3)));
        Assert.True(Same(second.Dropped!, batch.Dropped!.narrow(0, 3, 3)));
    }
}
