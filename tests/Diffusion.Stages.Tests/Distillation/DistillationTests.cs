using Diffusion.Abstractions.Samplers;
using Diffusion.Stages.Distillation;
using TorchSharp;
using static Diffusion.Stages.Tests.Distillation.GaussianModels;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Distillation;

/// <summary>
/// Both distillation methods against an exact teacher on Gaussian data (its ODE has a closed form), with a student that
/// can represent the answer: the student must reproduce the teacher's solver in fewer steps.
/// </summary>
public class DistillationTests
{
    [Fact]
    public void A_consistency_student_maps_noise_in_one_step_to_the_teachers_ODE_endpoint()
    {
        manual_seed(11);
        using var teacher = new AffineDenoiser();
        using var student = new AffineDenoiser();
        using var target = new AffineDenoiser();
        var distiller = new ConsistencyDistiller(teacher, Schedule, student, target, Schedule, solverSteps: 5, targetDecay: 0.5, guidance: null, clip: 0);
        Assert.Equal([19, 15, 11, 7, 3], distiller.Grid);
        using var optimizer = optim.Adam(student.parameters(), 0.03);
        using var generator = new Generator(12, CPU);
        for (int step = 0; step < 400; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            distiller.Loss(Data(256, generator), null, generator).backward();
            optimizer.step();
            distiller.UpdateTarget();
        }

        using var noise = randn([512, Mean.Length], generator: generator);
        using var teacherEnd = Ddim(teacher, noise, distiller.Grid);
        using var exact = OdeEndpoint(noise, 19);
        using var output = student.forward(noise, full([512], 19f), null);
        using var oneStep = ConsistencyFunction.Apply(Schedule, noise, full([512], 19L), output);
        double error = (oneStep - teacherEnd).abs().max().item<float>();
        Assert.True(error < 0.02, $"one consistency step is {error} from the teacher's 5-step DDIM endpoint");
        // The untrained student (the teacher's ε̂ through f) is far off: the training did the work.
        using var before = ConsistencyFunction.Apply(Schedule, noise, full([512], 19L), teacher.forward(noise, full([512], 19f), null));
        Assert.True((before - teacherEnd).abs().max().item<float>() > 10 * error);
        // And the teacher's discretised ODE is close to the exact one, so the student is too.
        double fromExact = (oneStep - exact).abs().max().item<float>(), teacherFromExact = (teacherEnd - exact).abs().max().item<float>();
        Assert.True(fromExact < teacherFromExact + 0.02, $"one step is {fromExact} from the exact ODE endpoint; the teacher's 5 DDIM steps are {teacherFromExact} from it");
    }

    [Fact]
    public void The_consistency_function_is_the_identity_at_the_clean_end_and_the_clean_estimate_at_high_noise()
    {
        Assert.Equal((1.0, 0.0), ConsistencyFunction.Scalings(0));
        var (skip, cOut) = ConsistencyFunction.Scalings(1e4);
        Assert.True(skip < 1e-8 && Math.Abs(cOut - ConsistencyFunction.SigmaData) < 1e-6);
    }

    /// <summary>With a v student the teacher's ε output and the student's v output are read by their own schedules.</summary>
    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    public void A_progressive_round_halves_the_steps_and_the_student_lands_where_the_teacher_does_in_twice_as_many(PredictionType studentPrediction)
    {
        manual_seed(13);
        using var teacher = new AffineDenoiser();
        using var student = new AffineDenoiser();
        var studentSchedule = NoiseSchedule.FromBetas(Schedule.Betas.ToArray(), studentPrediction, Schedule.Kind);
        var distiller = new ProgressiveDistiller(teacher, Schedule, student, studentSchedule, studentSteps: 2, guidance: null, clip: 0);
        Assert.Equal([19, 14, 9, 4], distiller.TeacherGrid);
        Assert.Equal([19, 9], distiller.StudentGrid); // every other teacher timestep: the student's ddim (trailing) grid
        using var noise = randn([512, Mean.Length], generator: new Generator(14, CPU));
        using var teacherEnd = Ddim(teacher, noise, distiller.TeacherGrid);
        using var beforeEnd = Ddim(student, noise, distiller.StudentGrid, studentSchedule);

        using var optimizer = optim.Adam(student.parameters(), 0.02);
        using var generator = new Generator(15, CPU);
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            distiller.Loss(Data(256, generator), null, generator).backward();
            optimizer.step();
        }

        using var studentEnd = Ddim(student, noise, distiller.StudentGrid, studentSchedule);
        double before = (beforeEnd - teacherEnd).abs().max().item<float>(), after = (studentEnd - teacherEnd).abs().max().item<float>();
        Assert.True(after < 0.01 && after < before / 10, $"2 student steps are {after} from 4 teacher steps (the teacher in 2 steps: {before})");
    }
}
