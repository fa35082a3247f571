using System.Collections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What no log line takes out of a process: a public follow-up code in a request's path. ASP.NET Core's hosting writes each
/// request's path as it came, in its own lines ("Request starting …") and in a scope (<c>RequestPath</c>) that every line
/// written during the request carries to every provider that shows scopes (OTLP, the JSON console). Its logger is none
/// here, whatever levels are configured; each request's scope is this one instead: the same <c>RequestPath</c> and
/// <c>RequestId</c>, the path shown as spans show it (<see cref="AnonymousSpans.WithoutFollowUpCode"/>).
/// </summary>
public static class AnonymousLogs
{
    /// <summary>The category of ASP.NET Core hosting's request logger.</summary>
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IServiceCollection AddAnonymousLogs(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new WithoutHostingDiagnostics(new LoggerFactory(
            provider.GetServices<ILoggerProvider>(),
            provider.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            provider.GetService<IOptions<LoggerFactoryOptions>>(),
            provider.GetService<IExternalScopeProvider>()))));
        return services.AddTransient<IStartupFilter, RequestScopes>();
    }

    private sealed class WithoutHostingDiagnostics(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName == HostingDiagnostics ? NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    /// <summary>Every request runs in its scope, from the first middleware on.</summary>
    private sealed class RequestScopes(ILoggerFactory loggers) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var logger = loggers.CreateLogger(typeof(AnonymousLogs).FullName!);
            app.Use(async (http, inner) =>
            {
                using (logger.BeginScope(new RequestScope(http)))
                {
                    await inner(http);
                }
            });
            next(app);
        };
    }

    /// <summary>A request's scope; its path is shown (and so read through the redaction) only when a line written in it is.</summary>
    private sealed class RequestScope(HttpContext http) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly PathString _path = http.Request.PathBase.Add(http.Request.Path);
        private readonly string _requestId = http.TraceIdentifier;
        private string? _shown;

        private string Shown => _shown ??= AnonymousSpans.WithoutFollowUpCode(_path.ToString());

        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("RequestPath", Shown),
            1 => new("RequestId", _requestId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var index = 0; index < Count; index++)
            {
                yield return this[index];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestPath:{Shown} RequestId:{_requestId}";
    }
}
