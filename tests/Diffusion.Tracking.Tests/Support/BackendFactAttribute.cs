using Xunit.Abstractions;
using Xunit.Sdk;

namespace Diffusion.Tracking.Tests.Support;

/// <summary>Marks a test class whose tests need the PostgreSQL test server (<see cref="TestPostgres"/>).</summary>
public interface IPostgresTests
{
}

/// <summary>
/// A fact of a test class that runs on every backend. In a class marked <see cref="IPostgresTests"/>, it is
/// skipped with <see cref="TestPostgres.SkipReason"/> where no server is configured (never in CI).
/// </summary>
[XunitTestCaseDiscoverer("Diffusion.Tracking.Tests.Support.BackendFactDiscoverer", "Diffusion.Tracking.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendFactAttribute : FactAttribute
{
}

/// <summary>Finds <see cref="BackendFactAttribute"/> tests and skips the PostgreSQL ones without a server.</summary>
public sealed class BackendFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (typeof(IPostgresTests).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) && TestPostgres.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}

/// <summary>A theory of a test class that runs on every backend; skipped like <see cref="BackendFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("Diffusion.Tracking.Tests.Support.BackendTheoryDiscoverer", "Diffusion.Tracking.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendTheoryAttribute : TheoryAttribute
{
}

/// <summary>Finds <see cref="BackendTheoryAttribute"/> tests and skips the PostgreSQL ones without a server.</summary>
public sealed class BackendTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        if (typeof(IPostgresTests).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) && TestPostgres.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}
