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

    private sealed class RequestScope(HttpContext http) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values =
        [
            new("RequestPath", AnonymousSpans.WithoutFollowUpCode(http.Request.PathBase.Add(http.Request.Path).ToString())),
            new("RequestId", http.TraceIdentifier),
        ];

        public int Count => _values.Length;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestPath:{_values[0].Value} RequestId:{_values[1].Value}";
    }
}
