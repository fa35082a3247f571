using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The largest request body a service reads (<c>Limits:MaxRequestBodyBytes</c>), and how long it may take to arrive
/// (<c>Limits:MaxBodyReadTime</c>).
/// </summary>
public sealed record RequestBodyLimit(long MaxBytes, TimeSpan MaxReadTime)
{
    public const long DefaultMaxBytes = 256 * 1024;

    /// <summary>Enough for the largest body over a slow mobile link (256 KB at 10 KB/s).</summary>
    public static readonly TimeSpan DefaultMaxReadTime = TimeSpan.FromSeconds(30);

    /// <summary>The 408 problem of a body that did not arrive in time.</summary>
    public ProblemDetails TooSlow() => new()
    {
        Status = StatusCodes.Status408RequestTimeout,
        Title = "The request body took too long to arrive.",
        Detail = $"A body must arrive within {MaxReadTime.TotalSeconds:0.#} seconds. Nothing was done.",
    };

    /// <summary>The 413 problem of a body over the limit.</summary>
    public ProblemDetails TooLarge() => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "The request body is too large.",
        Detail = $"At most {MaxBytes} bytes.",
    };
}

/// <summary>
/// <c>Limits:MaxRequestBodyBytes</c> and <c>Limits:MaxBodyReadTime</c>: a body is read whole into memory, so at most 100 MB,
/// and within at most ten minutes.
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string Section = "Limits";

    [Range(typeof(long), "1", "104857600")]
    public long MaxRequestBodyBytes { get; set; } = RequestBodyLimit.DefaultMaxBytes;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MaxBodyReadTime { get; set; } = RequestBodyLimit.DefaultMaxReadTime;
}

/// <summary>
/// One request body size limit for every service, enforced by Kestrel and by the request's
/// <see cref="IHttpMaxRequestBodySizeFeature"/>, and answered with a 413 problem, never an empty
/// response nor a 500.
/// </summary>
public static class RequestLimits
{
    /// <summary>
    /// The header fields the gateway may add to a request it forwards (<c>X-Forwarded-*</c>, the trace's
    /// <c>traceparent</c> and <c>tracestate</c>, and room for more), and their bytes: a service behind the gateway admits
    /// Kestrel's limits (100 fields, 32 KB) plus these, so the gateway's limits are the ones a caller meets.
    /// </summary>
    public const int GatewayAddedFields = 16;

    /// <inheritdoc cref="GatewayAddedFields"/>
    public const int GatewayAddedBytes = 8 * 1024;

    /// <summary>
    /// The body limits, and with <paramref name="behindGateway"/> the header limits widened by what the gateway adds
    /// (<see cref="GatewayAddedFields"/>).
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkRequestLimits(this IHostApplicationBuilder builder, bool behindGateway = false)
    {
        var settings = builder.Configuration.Read<RequestLimitsOptions>(RequestLimitsOptions.Section);
        var limit = new RequestBodyLimit(settings.MaxRequestBodyBytes, settings.MaxBodyReadTime);
        builder.Services.AddSingleton(limit);
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = limit.MaxBytes;

            // The read time is the one rule for a slow body: Kestrel's own minimum rate (240 bytes a second after 5 s)
            // would cut it first, with a problem naming Kestrel's setting instead of this limit.
            kestrel.Limits.MinRequestBodyDataRate = null;
            if (behindGateway)
            {
                kestrel.Limits.MaxRequestHeaderCount += GatewayAddedFields;
                kestrel.Limits.MaxRequestHeadersTotalSize += GatewayAddedBytes;
            }
        });
        return builder;
    }

    /// <summary>
    /// Refuses a body over the limit before any endpoint reads it: by its <c>Content-Length</c> when
    /// that declares more, else by reading (and buffering) it, up to the limit. Reading it here
    /// matters: an endpoint that hits the server's own limit while binding its body sees only an
    /// I/O error and leaves the server to answer an empty 413. A body must arrive within
    /// <see cref="RequestBodyLimit.MaxReadTime"/> (a 408 problem after): a client trickling it
    /// in holds nothing past that (at the gateway this runs before admission, so it holds no turn).
    /// </summary>
    public static IApplicationBuilder UseWardLinkRequestLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = context.RequestServices.GetRequiredService<RequestBodyLimit>();
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                // Kestrel counts a chunked body's framing too (each chunk's size line and line breaks): a body sent in small
                // chunks was refused within the limit. Such a body is held to the limit by its own bytes, as they are read below.
                feature.MaxRequestBodySize = context.Request.ContentLength is null ? null : limit.MaxBytes;
            }

            var refusal = await RefusalOfBodyAsync(context.Request, limit, context.RequestAborted);
            if (ReferenceEquals(refusal, ClientGone))
            {
                return;
            }

            if (refusal is not null)
            {
                // The rest of the body is not read: the connection closes after the answer, and says so (RFC 9110 15.5.9), and
                // Kestrel does not try to read on past the cancelled read (an Error for every slow body).
                context.Response.Headers.Connection = "close";
                context.Response.StatusCode = refusal.Status!.Value;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = refusal });
                return;
            }

            await next(context);
        });

    /// <summary>What <see cref="RefusalOfBodyAsync"/> gives when the client went away while sending its body.</summary>
    private static readonly ProblemDetails ClientGone = new();

    /// <summary>
    /// Why the body is refused (a 413 over the limit, a 408 when it has not all arrived within the read time;
    /// <see cref="ClientGone"/> when the client went away), or null: it is then buffered whole, so whatever reads it next (an
    /// endpoint, the gateway's proxy) never waits on the client.
    /// </summary>
    private static async Task<ProblemDetails?> RefusalOfBodyAsync(HttpRequest request, RequestBodyLimit limit, CancellationToken ct)
    {
        if (request.ContentLength > limit.MaxBytes)
        {
            return limit.TooLarge();
        }

        if (RequestChecks.HasNoContent(request))
        {
            return null;
        }

        var server = request.BodyReader;
        request.Body = new DeadlineBody(server);
        request.EnableBuffering();
        using var deadline = new CancellationTokenSource(limit.MaxReadTime);
        var buffer = ArrayPool<byte>.Shared.Rent(4 * 1024);
        try
        {
            await using var cut = deadline.Token.Register(server.CancelPendingRead);
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > limit.MaxBytes)
                {
                    return limit.TooLarge();
                }
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return limit.TooLarge();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return limit.TooSlow();
        }
        catch (InvalidOperationException malformed) when (malformed.Source?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
        {
            // Kestrel refuses a chunked body's trailer holding a NUL character by throwing this from the read, not as a bad request.
            return UnreadableTrailers(RequestChecks.BodyField);
        }
        catch (IOException gone) when (gone is not Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The client went away (a reset) while sending its body: there is no one to answer, and nothing to log as an error.
            request.HttpContext.Abort();
            return ClientGone;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        request.Body.Position = 0;
        if (request.Body.Length == 0)
        {
            RequestChecks.HasNoContentFromNowOn(request);
        }

        // A chunked body's trailers are header fields too (RFC 9110 6.5), held to the same visible ASCII as the headers.
        var outside = request.SupportsTrailers() && request.CheckTrailersAvailable()
            ? request.HttpContext.Features.Get<IHttpRequestTrailersFeature>()?.Trailers.FirstOrDefault(trailer => !trailer.Value.All(value => value is null || RequestHeaders.IsAscii(value))).Key
            : null;
        return outside is null ? null : UnreadableTrailers(outside);
    }

    /// <summary>The 400 of a trailer whose value is outside visible ASCII, naming it (or the body, where the server names none).</summary>
    private static HttpValidationProblemDetails UnreadableTrailers(string field) =>
        new(new Dictionary<string, string[]> { [field] = [$"{RequestHeaders.OutsideAscii} (a trailer of the chunked body)"] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = Rejection.InvalidTitle,
        };

    /// <summary>
    /// The body as the server's reader gives it, stopped at the deadline by <see cref="PipeReader.CancelPendingRead"/>, not by a
    /// token: a read a token cancels leaves Kestrel's reader of a <c>Content-Length</c> body mid-read (dotnet/aspnetcore#17840), and
    /// Kestrel, draining the rest after the <c>408</c>, logged "Reading is already in progress" as an error. A cancelled read is
    /// handed back, nothing taken, before it throws, so the reader is free for Kestrel's drain.
    /// </summary>
    private sealed class DeadlineBody(PipeReader server) : ReadOnlyAsyncStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var result = await server.ReadAsync(cancellationToken);
            var data = result.Buffer;
            if (result.IsCanceled)
            {
                server.AdvanceTo(data.Start);
                throw new OperationCanceledException("The request body's read time is up.");
            }

            // Copied a segment at a time: the lengths Kestrel's buffer of a chunked body reports are not what its segments hold (a
            // slice of 4 KB of it said 8 KB).
            var taken = 0;
            foreach (var segment in data)
            {
                var part = segment.Span[..Math.Min(segment.Length, buffer.Length - taken)];
                part.CopyTo(buffer.Span[taken..]);
                taken += part.Length;
                if (taken == buffer.Length)
                {
                    break;
                }
            }

            server.AdvanceTo(data.GetPosition(taken));
            return taken;
        }
    }
}
