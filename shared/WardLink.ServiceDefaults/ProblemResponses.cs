using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>RFC 9457 problem details for every error, and the JSON conventions of the API.</summary>
public static partial class ProblemResponses
{
    /// <summary>What a 400 of a body that does not read as JSON (or as its schema's types) says; every other 400 of a request's values says <c>Rejection.InvalidTitle</c>.</summary>
    public const string UnreadableBodyTitle = "The request body is not valid.";

    /// <summary>
    /// The longest text a problem holds (its type, title, detail, instance, each field's name and
    /// message): a longer one is cut, so a problem never echoes a long input back.
    /// </summary>
    public const int MaxTextLength = 2000;

    /// <summary>The most messages a problem gives for one field.</summary>
    public const int MaxFieldMessages = 10;

    /// <summary>The most fields a problem names (the first found): a request of many wrong values is not answered at many times its size.</summary>
    public const int MaxFields = 20;

    /// <summary>A trace id: 32 hexadecimal digits (W3C), or the server's request id where no trace runs.</summary>
    public const int TraceIdLength = 32;

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new StrictEnumConverter());
        options.Converters.Add(new TimeWithOffsetConverter());

        // A number is a JSON number: one sent as text ("+5", "007", fourteen digits) was read past the pattern and the length the
        // documents stated for it. A whole number is any JSON number of no fraction, as JSON Schema's integer is (1.0, 1E2).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new WholeNumberConverter<int>());
        options.Converters.Add(new WholeNumberConverter<long>());

        // A property given twice is ambiguous input, not the last one's value: a 400 naming it.
        options.AllowDuplicateProperties = false;

        // Text from a client is only data: answers escape markup characters (<, >, &, quotes), so a
        // page or a mis-sniffing browser never reads them as HTML; letters of every script stay readable.
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RefuseUnstorableValues);
    }

    /// <summary>
    /// Values the types or the database cannot hold are unreadable input, as <c>null</c> for a
    /// number is: a <c>null</c> inside a list of records or strings (<c>"checkpoints": [null]</c>),
    /// which the decisions' types promise never to see, and text with a NUL character
    /// (<c>\u0000</c>), which PostgreSQL cannot store.
    /// </summary>
    private static void RefuseUnstorableValues(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var checkedProperties = type.Properties
            .Where(property => property.Get is not null && (property.PropertyType == typeof(string) || ItemTypeOf(property.PropertyType) is { IsValueType: false }))
            .ToList();
        if (checkedProperties.Count == 0)
        {
            return;
        }

        var previous = type.OnDeserialized;
        type.OnDeserialized = value =>
        {
            previous?.Invoke(value);
            foreach (var property in checkedProperties)
            {
                if (UnstorableIn(property.Get!(value), property.Name) is { } unstorable)
                {
                    throw unstorable;
                }
            }
        };
    }

    /// <summary>What <paramref name="value"/> holds that cannot be stored; a record's own values are checked when it is read.</summary>
    private static UnreadableValueException? UnstorableIn(object? value, string member) => value switch
    {
        string text => text.Contains('\0', StringComparison.Ordinal) ? new(member, "Text cannot hold the NUL character (\\u0000).") : null,
        IEnumerable items => items.Cast<object?>()
            .Select((item, index) => item is null
                ? new UnreadableValueException($"{member}[{index}]", "A list item cannot be null.")
                : UnstorableIn(item, $"{member}[{index}]"))
            .FirstOrDefault(unstorable => unstorable is not null),
        _ => null,
    };

    /// <summary>
    /// The API document states times as <c>date-time</c> strings, ids as <c>uuid</c> strings and whole numbers as <c>integer</c>s
    /// of their width: the generator leaves a type read by a custom converter (<see cref="TimeWithOffsetConverter"/>,
    /// <see cref="IdConverter"/>, <see cref="WholeNumberConverter{T}"/>) without a type.
    /// </summary>
    public static void DescribeJson(OpenApiOptions options)
    {
        options.AddOperationTransformer(DescribeStatuses);
        options.AddDocumentTransformer(DescribeProblems);
        options.AddSchemaTransformer(DescribeValues);
    }

    /// <summary>What every operation's <c>400</c> says, in a service's document and the gateway's.</summary>
    public const string BadInputDescription =
        "Bad input: problem details naming each wrong field, or header (on every operation a header value outside visible ASCII or a " +
        "query parameter the operation does not declare; on a write that keeps none, an Idempotency-Key).";

    /// <summary>What the statuses every operation may answer say, in a service's document and the gateway's.</summary>
    public static readonly IReadOnlyDictionary<string, string> Described = new Dictionary<string, string>
    {
        ["400"] = BadInputDescription,
        ["401"] = "No valid bearer token.",
        ["403"] = "The token's role may not do this.",
        ["413"] = "The request body is larger than the API accepts (whatever the operation: nothing was read).",
        ["415"] = "The body is not what the operation reads (a form or XML where JSON is read, or a body of another type than JSON where the operation reads none, a charset the service cannot read, a media type parameter given twice or without a value), or it is in a content coding (Content-Encoding: gzip; any request may carry a body, read as sent): nothing was read. Judged before the token: a caller the operation would refuse (401, 403) is told this 415 too. A request without content (Content-Length: 0, or neither a length nor a transfer coding; through the gateway also a chunked body of its last chunk alone, which it forwards as none) is never one, whatever Content-Type it names: it is answered as one naming none.",
        ["500"] = $"An unexpected fault: problem details naming no internals. Whether a write was stored is not known: {RetryRecognised} " +
            "Or a record (or the yearly counter numbering it) that disagrees with itself in the database, changed outside the service: titled " +
            "\"The stored record is inconsistent.\", nothing was stored, and a retry meets the same until the operators, told in the service's log, mend it.",
    };

    /// <summary>
    /// The statuses every operation may answer, whatever it reads (<see cref="Described"/>): bad input (a query it does not declare,
    /// a header outside visible ASCII), a body too large or of a type it does not read, a fault, and where it needs a token a
    /// missing one or a role it is not for.
    /// </summary>
    public static IEnumerable<string> AnsweredByEveryOperation(bool anonymous) =>
        anonymous ? ["400", "413", "415", "500"] : ["400", "401", "403", "413", "415", "500"];

    /// <summary>
    /// The problem schema an error response of a document is to refer to, or null to keep what it declares: a bare error (no
    /// content) is the problem details it is, and a 400 names each wrong field (a 400 declared as plain problem details too).
    /// The one rule of a service's own document and of the gateway's merged one, so the two never disagree.
    /// </summary>
    public static string? ProblemSchemaToDeclare(string status, bool hasContent, string? problemSchemaDeclared) =>
        status[0] is not ('4' or '5') ? null
        : !hasContent ? (status == "400" ? nameof(HttpValidationProblemDetails) : nameof(ProblemDetails))
        : status == "400" && problemSchemaDeclared == nameof(ProblemDetails) ? nameof(HttpValidationProblemDetails)
        : null;

    /// <summary>A service's document says what the service answers: every operation the statuses any may answer (<see cref="AnsweredByEveryOperation"/>).</summary>
    private static Task DescribeStatuses(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        var anonymous = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();
        foreach (var status in AnsweredByEveryOperation(anonymous))
        {
            operation.Responses.TryAdd(status, new OpenApiResponse { Description = Described[status] });
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Every error of a service's document as the problem details it is (a 400's naming each field), once every operation's
    /// transformers have added theirs: a service's 404s (a ward nobody has) were declared with no content, and its problems'
    /// <c>traceId</c> not at all, so a client holding answers to the service's own document refused every problem; the gateway's
    /// merged document completes them so (OpenApiMerge).
    /// </summary>
    private static async Task DescribeProblems(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        // The document's own components, referred to (a copy inline in every response made the merged document four times as long).
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        async Task<IOpenApiSchema> ReferenceTo(Type type)
        {
            if (!document.Components.Schemas.ContainsKey(type.Name))
            {
                document.Components.Schemas[type.Name] = await context.GetOrCreateSchemaAsync(type, null, ct);
            }

            return new OpenApiSchemaReference(type.Name, document);
        }

        var (validation, problem) = (await ReferenceTo(typeof(HttpValidationProblemDetails)), await ReferenceTo(typeof(ProblemDetails)));
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
            {
                if (response is not OpenApiResponse declared)
                {
                    continue;
                }

                var declaredProblem = (declared.Content is { } content && content.TryGetValue("application/problem+json", out var media) ? media.Schema : null) as OpenApiSchemaReference;
                if (ProblemSchemaToDeclare(status, declared.Content is { Count: > 0 }, declaredProblem?.Reference.Id) is { } schema)
                {
                    declared.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = schema == nameof(ProblemDetails) ? problem : validation },
                    };
                }
            }
        }
    }

    private static Task DescribeValues(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        var described = Nullable.GetUnderlyingType(type) ?? type;
        if (Form(described) is not null)
        {
            State(schema, described, nullable: described != type);
            if ((schema.Type ?? 0).HasFlag(JsonSchemaType.Integer))
            {
                // A query's or a path's whole number is text the service reads as the documents write it (QueryForms): say so.
                if (context.ParameterDescription?.Source is { } source && (source == BindingSource.Query || source == BindingSource.Path))
                {
                    schema.Type |= JsonSchemaType.String;
                    schema.Pattern = QueryForms.WholeNumberPattern;
                }

                // Nor does it state the [Range] of a property that has a default (a residence check's counts).
                if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(RangeAttribute), inherit: false) is [RangeAttribute range, ..])
                {
                    schema.Minimum ??= Convert.ToString(range.Minimum, CultureInfo.InvariantCulture);
                    schema.Maximum ??= Convert.ToString(range.Maximum, CultureInfo.InvariantCulture);
                }
            }
        }
        else if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary, ElementType: { } element, Kind: var kind }
            && Form(element) is not null)
        {
            // The exporter leaves a list's items and a dictionary's values of such a type empty, and the document drops them:
            // a list of counts, a tally by category, would say nothing of what it holds.
            var elementSchema = new OpenApiSchema();
            State(elementSchema, element, nullable: false);
            if (kind == JsonTypeInfoKind.Enumerable)
            {
                schema.Items = elementSchema;
            }
            else
            {
                schema.AdditionalProperties = elementSchema;
            }
        }
        else if (context.JsonTypeInfo.Type.IsAssignableTo(typeof(ProblemDetails)))
        {
            DescribeProblem(schema);
        }

        return Task.CompletedTask;
    }

    /// <summary>The JSON type and format of a value a converter of WardLink's own reads (a GUID, a time, a whole number); null for another type.</summary>
    private static (JsonSchemaType Type, string Format)? Form(Type type) =>
        type == typeof(Guid) ? (JsonSchemaType.String, "uuid")
        : type == typeof(DateTimeOffset) ? (JsonSchemaType.String, "date-time")
        : type == typeof(int) ? (JsonSchemaType.Integer, "int32")
        : type == typeof(long) ? (JsonSchemaType.Integer, "int64")
        : null;

    /// <summary>States on <paramref name="schema"/> the <see cref="Form"/> of <paramref name="type"/> (null too where <paramref name="nullable"/>), and an id's refusal of the empty GUID.</summary>
    private static void State(OpenApiSchema schema, Type type, bool nullable)
    {
        var (json, format) = Form(type)!.Value;
        schema.Type = nullable ? json | JsonSchemaType.Null : json;
        schema.Format = format;
        if (type == typeof(Guid))
        {
            schema.Not = NotTheEmptyId();
        }
    }

    /// <summary>
    /// What an id is not: the empty GUID, which names nothing (a request's is refused: <see cref="IdConverter"/>,
    /// <see cref="QueryForms"/>, <see cref="RequestChecks"/>; an answer names none), so a validator or a generator of requests
    /// reading the document takes what the service takes. One schema for requests and answers alike: a record both send (a
    /// route's checkpoint) is one component.
    /// </summary>
    private static OpenApiSchema NotTheEmptyId() => new() { Const = Guid.Empty.ToString() };

    /// <summary>The member every problem carries besides RFC 9457's: the request's trace id.</summary>
    public const string TraceIdMember = "traceId";

    /// <summary>
    /// A problem's bounds as <see cref="Bounded"/> keeps them, and its <see cref="TraceIdMember"/> (an extension the exporter does not
    /// see: the services' own documents refused every problem they answered, the gateway's merged one declaring it).
    /// </summary>
    private static void DescribeProblem(OpenApiSchema problem)
    {
        problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
        problem.Properties[TraceIdMember] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MaxLength = 32,
            Description = "The W3C trace id of the request, to find it in the traces.",
        };

        foreach (var (name, property) in problem.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is not OpenApiSchema value)
            {
                continue;
            }

            switch (name)
            {
                case "status":
                    value.Minimum = "400";
                    value.Maximum = "599";
                    break;
                case "errors" when value.AdditionalProperties is OpenApiSchema { Items: OpenApiSchema message } messages:
                    value.MaxProperties = MaxFields;
                    messages.MaxItems = MaxFieldMessages;
                    message.MaxLength = MaxTextLength;
                    break;
                case "type" or "title" or "detail" or "instance":
                    value.MaxLength = MaxTextLength;
                    break;
            }
        }
    }

    /// <summary>Cuts what a problem says to the bounds its documents state (<see cref="MaxTextLength"/>, <see cref="MaxFieldMessages"/>, <see cref="MaxFields"/>).</summary>
    private static void Bounded(ProblemDetails problem)
    {
        problem.Type = Cut(problem.Type);
        problem.Title = Cut(problem.Title);
        problem.Detail = Cut(problem.Detail);
        problem.Instance = Cut(problem.Instance);
        if (problem is HttpValidationProblemDetails validation)
        {
            var fields = validation.Errors.ToList();
            validation.Errors.Clear();
            foreach (var (field, messages) in fields.Take(MaxFields))
            {
                validation.Errors[Cut(field)!] = [.. messages.Take(MaxFieldMessages).Select(message => Cut(message)!)];
            }
        }
    }

    private static string? Cut(string? text) => Characters.Cut(text, MaxTextLength);

    /// <summary>
    /// A time is read only with its offset (<c>Z</c> or <c>±hh:mm</c>): System.Text.Json reads a
    /// time without one (<c>2024-05-02T21:40:00</c>) in the server's own zone, a guess the ward's
    /// records must never hold. It is read as a query's time is, so a lower-case <c>t</c> or <c>z</c>
    /// (RFC 3339 allows them, and so does the documents' <c>date-time</c>) is read too, which
    /// System.Text.Json refused.
    /// </summary>
    private sealed class TimeWithOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && reader.GetString() is { } text && WardTime.HasOffset(text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? at
                : throw new ExplainedException(WardTime.WithOffset);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>
    /// An id as the documents write it (System.Text.Json's reading: 32 hexadecimal digits in 8-4-4-4-12 groups), never the
    /// empty GUID, which names nothing (as in a path: <see cref="RequestChecks.EmptyId"/>), whatever property or list holds it.
    /// </summary>
    private sealed class IdConverter : JsonConverter<Guid>
    {
        public override Guid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetGuid() is var id && id == Guid.Empty ? throw new ExplainedException(RequestChecks.EmptyId) : id;

        public override void Write(Utf8JsonWriter writer, Guid value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>An unreadable value whose message says, in the API's words, what its property takes.</summary>
    private sealed class ExplainedException(string message) : JsonException(message);

    /// <summary>
    /// A whole number as JSON Schema's <c>integer</c> takes it: any JSON number whose value has no fraction (<c>1.0</c>, <c>1E2</c>,
    /// <c>-0</c>), within the type; System.Text.Json reads only digits. Anything else is unreadable, named by its path.
    /// </summary>
    private sealed class WholeNumberConverter<T> : JsonConverter<T>
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var value) && decimal.IsInteger(value)
                && value >= decimal.CreateChecked(T.MinValue) && value <= decimal.CreateChecked(T.MaxValue)
                ? T.CreateChecked(value)
                : throw new JsonException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(long.CreateChecked(value));
    }

    /// <summary>An unreadable value at <paramref name="Member"/> within the object being read (STJ gives the object's path).</summary>
    private sealed class UnreadableValueException(string member, string message) : JsonException(message)
    {
        public string Member { get; } = member;
    }

    private static Type? ItemTypeOf(Type type) =>
        type == typeof(string)
            ? null
            : Array.Find(type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces(), candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];

    /// <summary>
    /// The RFC sections of the statuses WardLink answers that ASP.NET Core gives no <c>type</c> (it does for the others): every
    /// problem names its status's definition alike (a 413 and a 429 had none).
    /// </summary>
    private static readonly Dictionary<int, string> TypesAspNetCoreLeavesOut = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [StatusCodes.Status429TooManyRequests] = "https://tools.ietf.org/html/rfc6585#section-4",
        [StatusCodes.Status431RequestHeaderFieldsTooLarge] = "https://tools.ietf.org/html/rfc6585#section-5",
    };

    /// <summary>Every 400 of a request's values says so alike (<see cref="Rejection.InvalidTitle"/>); ASP.NET Core's validation problems said this.</summary>
    private static readonly string? AspNetCoreValidationTitle = new HttpValidationProblemDetails().Title;

    /// <summary>Leaves a type's always-ignored properties out of its contract, so that a JSON property naming one is unmapped.</summary>
    private static void WithoutIgnoredProperties(JsonTypeInfo type)
    {
        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i].AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true) is [JsonIgnoreAttribute { Condition: JsonIgnoreCondition.Always }])
            {
                type.Properties.RemoveAt(i);
            }
        }
    }

    public static IHostApplicationBuilder AddWardLinkProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            ConfigureJson(options.SerializerOptions);

            // A body's properties are the ones its schema names, as named there: one in another letter case or misspelt is no
            // property of the body to a partner's validator (and a required one is missing), and its value would be lost
            // unseen, so it is a 400 naming it, as the documents say (additionalProperties: false).
            options.SerializerOptions.PropertyNameCaseInsensitive = false;
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;

            // What an endpoint sets itself on the body's type (JsonIgnore: a tip's number and ward, a message's author) is no
            // property of the body either: a body naming one was read and the value dropped unseen, now a 400 naming it.
            options.SerializerOptions.TypeInfoResolver = options.SerializerOptions.TypeInfoResolver!.WithAddedModifier(WithoutIgnoredProperties);
            options.SerializerOptions.Converters.Add(new IdConverter());
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions[TraceIdMember] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Type ??= context.ProblemDetails.Status is { } status ? TypesAspNetCoreLeavesOut.GetValueOrDefault(status) : null;
            if (context.ProblemDetails is HttpValidationProblemDetails && context.ProblemDetails.Title == AspNetCoreValidationTitle)
            {
                context.ProblemDetails.Title = Rejection.InvalidTitle;
            }
            Bounded(context.ProblemDetails);
        });
        // After ASP.NET Core's own writer: whatever the client's Accept, an error is answered as a problem.
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemWhateverAccepted>();
        // Unreadable bodies surface as exceptions, so ClientErrorHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ClientErrorHandler>();
        return builder;
    }

    /// <summary>Unhandled exceptions and empty error responses become problem details.</summary>
    public static IApplicationBuilder UseWardLinkProblemDetails(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>How long a client should wait before retrying when a dependency is down or the service is full.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>How long a step waits for its turn on a record (the steps before it to commit) before it is a 503.</summary>
    public const int StepTurnSeconds = 5;

    /// <summary>How to retry a request that may or may not have been stored (its answer was lost on the way), so that one that was is recognised.</summary>
    public const string RetryRecognised =
        "retry with the same Idempotency-Key (a creation, a message) or If-Match (a step): those recognise a request that was stored " +
        "(a webhook's replay, which reads neither, only makes its deliveries due again, which their receivers know by their webhook-id).";

    /// <summary>
    /// Answers <paramref name="problem"/> for <paramref name="exception"/> (if any; a 503 with
    /// <c>Retry-After</c>); false when there is none, so the next exception handler decides.
    /// </summary>
    public static async ValueTask<bool> TryAnswerAsync(this IProblemDetailsService problems, HttpContext httpContext, Exception? exception, ProblemDetails? problem)
    {
        if (problem is null)
        {
            return false;
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// The last problem writer: ASP.NET Core's writes only to a client whose <c>Accept</c> takes JSON, and with none
    /// able to write, a 413 became an empty 500 and a 405 plain text. A client that asked for <c>text/plain</c> or XML
    /// still gets the problem (RFC 9457 JSON, the only form an error has here), written by ASP.NET Core's writer as to
    /// a client that named no type.
    /// </summary>
    private sealed class ProblemWhateverAccepted : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            context.HttpContext.Request.Headers.Accept = default;
            return context.HttpContext.RequestServices.GetServices<IProblemDetailsWriter>()
                .First(writer => writer is not ProblemWhateverAccepted && writer.CanWrite(context))
                .WriteAsync(context);
        }
    }

    /// <summary>
    /// Turns the client's mistakes that surface as exceptions (unreadable JSON, a bad request) into
    /// 4xx problem details; the event store adds its own (a lost race, the database down); anything
    /// else stays a 500.
    /// </summary>
    private sealed class ClientErrorHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            ProblemDetails? problem = exception switch
            {
                BadHttpRequestException { InnerException: JsonException json } => new HttpValidationProblemDetails(
                    new Dictionary<string, string[]> { [FieldOf(json)] = [$"The value is not valid here. {Describe(json, httpContext)}".TrimEnd()] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = UnreadableBodyTitle,
                },
                BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad when UnboundParameter().Match(bad.Message) is { Success: true } unbound =>
                    new HttpValidationProblemDetails(new Dictionary<string, string[]> { [unbound.Groups["name"].Value] = [Expected(unbound.Groups["type"].Value)] })
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Title = Rejection.InvalidTitle,
                    },
                BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = Rejection.InvalidTitle, Detail = bad.Message },
                _ => null,
            };
            return await problems.TryAnswerAsync(httpContext, exception, problem);
        }

        /// <summary>What a parameter of <paramref name="type"/> (as ASP.NET Core names it: <c>Nullable&lt;int&gt;</c>) takes.</summary>
        private static string Expected(string type) => type.Replace("Nullable<", string.Empty, StringComparison.Ordinal).TrimEnd('>', '?') switch
        {
            "int" => $"A whole number from {int.MinValue} to {int.MaxValue}.",
            "long" => $"A whole number from {long.MinValue} to {long.MaxValue}.",
            "double" or "decimal" => "A number.",
            "DateTimeOffset" => WardTime.WithOffset,
            "DateOnly" => "A local date (yyyy-MM-dd) that exists.",
            "Guid" => "A GUID (e.g. 0193b5a0-0000-7000-8000-0000000000c1).",
            "bool" => "true or false.",
            _ => "The value is not valid here.",
        };

        private static string FieldOf(JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');
            return json is UnreadableValueException unreadable
                ? field is null ? unreadable.Member : $"{field}.{unreadable.Member}"
                : field ?? "body";
        }

        /// <summary>
        /// What was wrong with a value System.Text.Json could not read, in the API's words: what its property takes, from the type
        /// of the property at the value's path in the endpoint's body (never System.Text.Json's own text, which names .NET's
        /// types: <c>not in a supported DateOnly format</c>, <c>out of bounds for an Int32</c>, and since .NET 10 the record
        /// holding the value, not the value's type); for a body that is no JSON (a comment, a trailing comma, cut short), where the
        /// reader stopped; nothing more for an object or a list.
        /// </summary>
        private static string Describe(JsonException json, HttpContext http) =>
            json is UnreadableValueException or ExplainedException ? json.Message
            : json.InnerException is null && DuplicateProperty().IsMatch(json.Message) ? "The property is given more than once."
            : json.InnerException is null && UnnamedProperty().IsMatch(json.Message) ? "The document does not name this property here: properties are named as it names them, in their letter case."
            : json.InnerException is InvalidOperationException { Message: var reading } && reading.Contains("surrogate", StringComparison.Ordinal)
                ? "A text holds whole characters: a lone surrogate (an escape such as \\ud800 without its pair) is none."
            : json is { InnerException: JsonException, LineNumber: { } line, BytePositionInLine: { } at }
                ? string.Create(CultureInfo.InvariantCulture, $"The body is not JSON (RFC 8259): the reader stopped at line {line + 1}, byte {at + 1} of it (as UTF-8).")
            : TypeAt(http, json.Path) is { } type ? ExpectedOfBody(Nullable.GetUnderlyingType(type) ?? type)
            : string.Empty;

        /// <summary>What a body's value of .NET type <paramref name="type"/> takes.</summary>
        private static string ExpectedOfBody(Type type) =>
            type == typeof(int) || type == typeof(long) ? "A whole number (a JSON number of no fraction) within the range the document states for it."
            : type == typeof(double) || type == typeof(decimal) ? Expected("double")
            : type == typeof(DateTimeOffset) ? Expected("DateTimeOffset")
            : type == typeof(DateOnly) ? Expected("DateOnly")
            : type == typeof(Guid) ? QueryForms.IdForm
            : type == typeof(bool) ? Expected("bool")
            : type == typeof(string) ? "A text (a JSON string)."
            : type.IsEnum ? EnumNames.OneOf(type)
            : string.Empty;

        /// <summary>
        /// The type of the value at <paramref name="path"/> (System.Text.Json's: <c>$.checkpoints[0].code</c>) in the body the
        /// request's endpoint reads, as the API's JSON options read it; null where the path leads nowhere known.
        /// </summary>
        private static Type? TypeAt(HttpContext http, string? path)
        {
            // The exception handler has cleared the request's endpoint by now; its feature keeps the one that threw.
            var type = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            if (type is null || path is null)
            {
                return null;
            }

            var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            foreach (Match step in PathStep().Matches(path))
            {
                type = step.Groups["index"].Success
                    ? ItemTypeOf(type)
                    : options.GetTypeInfo(type).Properties.FirstOrDefault(property =>
                        string.Equals(property.Name, step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value.Replace("''", "'", StringComparison.Ordinal), StringComparison.Ordinal))?.PropertyType;
                if (type is null)
                {
                    return null;
                }
            }

            return type;
        }
    }

    /// <summary>One step of System.Text.Json's path to a value: <c>.name</c>, <c>['odd name']</c> or <c>[2]</c>.</summary>
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>[0-9]+)\]")]
    private static partial Regex PathStep();

    /// <summary>System.Text.Json's message for a property read twice, which names the record's .NET type: not repeated.</summary>
    [GeneratedRegex("^Duplicate property '")]
    private static partial Regex DuplicateProperty();

    /// <summary>System.Text.Json's message for a property no member of the record takes, which names the record's .NET type: not repeated.</summary>
    [GeneratedRegex("^The JSON property '.*' could not be mapped to any .NET member")]
    private static partial Regex UnnamedProperty();

    /// <summary>
    /// A parameter ASP.NET Core could not bind (<c>Failed to bind parameter "Nullable&lt;int&gt; limit" from "abc".</c>) or
    /// did not find (<c>Required parameter "int year" was not provided from query string.</c>): its type and its name.
    /// </summary>
    [GeneratedRegex(@"^(?:Failed to bind|Required) parameter ""(?<type>[^""]*) (?<name>[^"" ]+)""")]
    private static partial Regex UnboundParameter();
}
