namespace Diffusion.Tracking;

/// <summary>
/// A tracking store could not do what was asked: its location names a backend this build does not have, or the
/// backend failed (e.g. a corrupt or busy database). The message says why, in the backend's words.
/// </summary>
/// <param name="message">What went wrong.</param>
/// <param name="inner">The backend's own exception, if any.</param>
public sealed class TrackingStoreException(string message, Exception? inner = null) : Exception(message, inner);
