using Microsoft.Extensions.DependencyInjection;

namespace Diffusion.Core.Plugins;

/// <summary>
/// Creates plugin instances through Microsoft.Extensions.DependencyInjection: the constructor receives the
/// bound options object and any service registered with the host.
/// </summary>
public static class ComponentFactory
{
    /// <summary>Creates an instance of <paramref name="plugin"/> with <paramref name="options"/>.</summary>
    /// <exception cref="PluginConstructionException">The plugin's constructor threw.</exception>
    public static object Create(IServiceProvider services, PluginDescriptor plugin, object? options)
    {
        try
        {
            return options is null
                ? ActivatorUtilities.CreateInstance(services, plugin.Implementation)
                : ActivatorUtilities.CreateInstance(services, plugin.Implementation, options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            throw new PluginConstructionException(plugin, cause);
        }
    }
}
