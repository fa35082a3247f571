namespace WardLink.EventSourcing;

/// <summary>What an exception wraps: the store's failures come wrapped (Marten's around Npgsql's around the socket's).</summary>
internal static class ExceptionChain
{
    /// <summary>Whether <paramref name="exception"/> or any exception it wraps <paramref name="matches"/>.</summary>
    public static bool Wraps(this Exception? exception, Func<Exception, bool> matches) => exception.Wrapped(matches) is not null;

    /// <summary>The first of <paramref name="exception"/> and the exceptions it wraps that is a <typeparamref name="T"/>, or null.</summary>
    public static T? Wrapped<T>(this Exception? exception)
        where T : Exception =>
        exception.Wrapped(failure => failure is T) as T;

    private static Exception? Wrapped(this Exception? exception, Func<Exception, bool> matches)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (matches(exception))
            {
                return exception;
            }
        }

        return null;
    }
}
