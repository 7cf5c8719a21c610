using Diffusion.Abstractions.Checkpoints;

namespace Diffusion.Plugins.Tests.Compression;

/// <summary>The shipped int8 and post-processing pipelines run end to end at tiny scale.</summary>
public class CompressionPipelineTests
{
    [Fact]
    public void Compress_int8_stores_int8_weights_and_records_size_speed_and_quality_before_and_after()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("compress-int8.yaml"), [.. PipelineRun.Tiny, .. PipelineRun.TinyCompress]);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        foreach (string key in new[] { "parameters", "macs", "checkpoint_bytes", "weight_bytes", "latency_ms", "eval_fd-pixels" })
        {
            Assert.Contains($"compress/before/{key}", metrics.Keys);
            Assert.Contains($"compress/after/{key}", metrics.Keys);
        }
        Assert.InRange(metrics["compress/checkpoint_bytes_ratio"], 0.2, 0.32);  // int8 + scales; tiny layers keep float biases
        Assert.InRange(metrics["compress/weight_bytes_ratio"], 0.25, 0.27);     // 1 byte per weight + a 4-byte scale per output channel
        Assert.Equal(1.0, metrics["compress/parameters_ratio"]);
        Assert.Equal(1.0, metrics["compress/macs_ratio"]);
        // Paired fidelity: the int8 model's samples from the same noise stay close to the float model's, but not identical.
        Assert.InRange(metrics["compress/sample_rmse"], 1e-6, 0.2);
        Assert.True(metrics["compress/sample_psnr_db"] > 20, $"int8 samples moved too far from the float ones: {metrics["compress/sample_psnr_db"]} dB");

        string file = Path.Combine(run.RunFolder, "compressed", "compress", "model.safetensors");
        Assert.Equal((long)metrics["compress/after/checkpoint_bytes"], new FileInfo(file).Length - MetadataBytes(file));
        var (tensors, metadata) = SafeTensors.Read(file);
        // The shipped pipeline keeps the first and last convolutions in float32 (exclude: [conv_in, conv_out]).
        Assert.Equal(ScalarType.Float32, tensors["conv_in.weight"].dtype);
        Assert.Equal(ScalarType.Float32, tensors["conv_out.weight"].dtype);
        Assert.DoesNotContain("conv_in.weight_int8", tensors.Keys);
        var quantized = tensors.Where(t => t.Key.EndsWith(".weight_int8", StringComparison.Ordinal)).ToList();
        Assert.True(quantized.Count > 5, "the other layers are int8");
        Assert.All(quantized, t => Assert.Equal(ScalarType.Int8, t.Value.dtype));
        Assert.Equal("int8", metadata["compression"]);
        foreach (var t in tensors.Values) t.Dispose();
    }

    /// <summary>Bytes the written file spends on metadata that the size measure (no metadata) leaves out.</summary>
    private static long MetadataBytes(string file)
    {
        var (tensors, metadata) = SafeTensors.Read(file);
        using var without = new MemoryStream();
        SafeTensors.Write(without, tensors);
        foreach (var t in tensors.Values) t.Dispose();
        return new FileInfo(file).Length - without.Length;
    }

    [Fact]
    public void Postprocess_pipeline_runs_the_chain_and_writes_the_upscaled_grid()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("postprocess.yaml"), PipelineRun.Tiny);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "upscale.png")));
        Assert.Contains("eval/fd-pixels", PipelineRun.Metrics(temp, run).Keys);
    }
}
