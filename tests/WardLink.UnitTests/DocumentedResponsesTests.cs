using System.Text.Json.Nodes;
using CsCheck;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The check that WardLink.http's answers are as the API document says (HttpFileTests) finds each kind of difference, and
/// reads a schema as JSON Schema 2020-12 does, as a client's validator (ajv, python jsonschema) would.
/// </summary>
public sealed class DocumentedResponsesTests
{
    private const string TipPath = "/api/tips/0195d000-0000-7000-8000-000000000001";

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private static readonly DocumentedResponses Documented = new(JsonNode.Parse("""
        {
          "paths": {
            "/api/tips/{id}": { "get": { "responses": {
              "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tip" } } } },
              "404": { "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } } } },
            "/api/tips/stats": { "get": { "responses": { "200": { "content": { "application/json": { "schema": {
              "type": "object", "additionalProperties": { "type": "integer" }, "propertyNames": { "enum": ["received", "pending"] } } } } } } } },
            "/api/tips": {
              "get": { "responses": { "200": { "content": { "application/json": { "schema": {
                "anyOf": [ { "$ref": "#/components/schemas/PolicePage" }, { "$ref": "#/components/schemas/PartnerPage" } ] } } } } } },
              "post": { "responses": {
                "201": {
                  "headers": {
                    "Location": { "required": true, "schema": { "type": "string", "maxLength": 200, "pattern": "^(/[A-Za-z0-9-]+)+$" } },
                    "ETag": { "required": false, "schema": { "type": "string", "maxLength": 21, "pattern": "^\"[1-9][0-9]{0,18}\"$" } },
                    "Idempotent-Replayed": { "schema": { "type": "string", "enum": ["true"] } } },
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tip" } } } },
                "429": { "headers": { "Retry-After": { "schema": { "type": "integer", "minimum": 1, "maximum": 2147483647 } } } } } } },
            "/api/tips/{id}/assessments": { "post": { "responses": {
              "200": { "headers": { "ETag": { "required": true, "schema": { "type": "string", "maxLength": 21, "pattern": "^\"[1-9][0-9]{0,18}\"$" } } } },
              "412": { "headers": { "ETag": { "required": true, "schema": { "type": "string", "maxLength": 21, "pattern": "^\"[1-9][0-9]{0,18}\"$" } } } } } } },
            "/api/pages": { "get": { "responses": { "200": { "content": { "application/json": { "schema": {
              "oneOf": [ { "$ref": "#/components/schemas/PolicePage" }, { "$ref": "#/components/schemas/PartnerPage" } ] } } } } } } },
            "/api/forms": { "get": { "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Forms" } } } } } } },
            "/api/titled": { "get": { "responses": { "200": { "content": { "application/json": { "schema": {
              "$ref": "#/components/schemas/Base", "required": ["title"] } } } } } } },
            "/api/unread": { "get": { "responses": { "200": { "content": { "application/json": { "schema": {
              "type": "array", "contains": { "type": "integer" }, "maxItems": 9 } } } } } } }
          },
          "webhooks": {
            "tip.referred": { "post": {
              "parameters": [
                { "name": "webhook-id", "in": "header", "required": true, "schema": { "type": "string", "maxLength": 36, "pattern": "^msg_[0-9a-f]{32}$" } },
                { "name": "traceparent", "in": "header", "schema": { "type": "string", "maxLength": 55 } } ],
              "requestBody": { "content": { "application/json": { "schema": { "type": "object", "required": ["type", "data"], "properties": {
                "type": { "type": "string", "const": "tip.referred" }, "data": { "$ref": "#/components/schemas/Tip" } } } } } } } }
          },
          "components": { "schemas": {
            "Tip": { "type": "object", "required": ["id", "status"], "properties": {
              "id": { "type": "string", "maxLength": 36 },
              "status": { "type": "string", "enum": ["received", "assessed"] },
              "verdict": { "type": ["null", "string"], "enum": ["valuable", "prank"] },
              "outcome": { "type": ["null", "string"], "enum": ["solved", null] },
              "rank": { "type": "integer", "minimum": 1, "maximum": 9 },
              "note": { "type": ["null", "string"] },
              "tags": { "type": "array", "maxItems": 2, "items": { "type": "string" } } } },
            "PoliceView": { "type": "object", "required": ["id", "description"], "properties": { "id": { "type": "string" }, "description": { "type": "string" } } },
            "PartnerView": { "type": "object", "required": ["id", "siteId"], "properties": { "id": { "type": "string" }, "siteId": { "type": "string" } } },
            "PolicePage": { "type": "object", "required": ["items", "total"], "properties": {
              "items": { "type": "array", "items": { "$ref": "#/components/schemas/PoliceView" } }, "total": { "type": "integer" } } },
            "PartnerPage": { "type": "object", "required": ["items", "total"], "properties": {
              "items": { "type": "array", "items": { "$ref": "#/components/schemas/PartnerView" } }, "total": { "type": "integer" } } },
            "Forms": { "type": "object", "additionalProperties": false, "maxProperties": 4, "properties": {
              "code": { "type": "string", "minLength": 2, "pattern": "^[a-z]+$" },
              "kind": { "const": "tip" },
              "share": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
              "seen": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "type": "integer" } },
              "name": { "type": "string", "maxLength": 2 } } },
            "Base": { "type": "object", "properties": { "title": { "type": "string" } } },
            "Problem": { "allOf": [ { "$ref": "#/components/schemas/Base" }, { "type": "object", "properties": { "errors": { "type": "object" } } } ] }
          } }
        }
        """)!.AsObject(), complete: false);

    /// <summary>The same document, holding a success's JSON answer to every property its schemas list.</summary>
    private static readonly DocumentedResponses Complete = new(Documented.Document, complete: true);

    [Theory]
    [InlineData("""{ "id": "a", "status": "received", "note": null, "tags": ["x"] }""")]
    [InlineData("""{ "id": "a", "status": "assessed" }""")]
    [InlineData("""{ "id": "00-4f8b35bda680643bb0ea26b905c67c1", "status": "assessed", "rank": 9, "tags": ["x", "y"] }""")]
    [InlineData("""{ "id": "a", "status": "assessed", "verdict": "prank", "outcome": null }""")]
    public void An_answer_as_documented_passes(string body) =>
        Assert.Empty(Documented.Check("GET", TipPath, 200, "application/json", body, NoHeaders));

    /// <summary>An answer writes every property its schemas list, null where it has none: one left out is named, wherever it is.</summary>
    [Fact]
    public void A_success_that_leaves_out_a_listed_property_is_named_and_one_that_writes_null_passes()
    {
        Assert.Empty(Complete.Check("GET", TipPath, 200, "application/json", """{ "id": "a", "status": "received", "verdict": "prank", "outcome": null, "rank": 1, "note": null, "tags": [] }""", NoHeaders));
        Assert.Equal(
            ["$.note: listed by the document, left out of the answer (null where it has none)"],
            Complete.Check("GET", TipPath, 200, "application/json", """{ "id": "a", "status": "received", "verdict": "prank", "outcome": null, "rank": 1, "tags": [] }""", NoHeaders));
        Assert.DoesNotContain(Complete.Check("GET", TipPath, 404, "application/problem+json", """{ "title": "gone" }""", NoHeaders), problem => problem.Contains("left out", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(200, """{ "id": "a", "status": "received", "secret": "x" }""", "$.secret: answered, not in the document")]
    [InlineData(200, """{ "id": "a" }""", "$.status: required, missing")]
    [InlineData(200, """{ "id": 7, "status": "received" }""", "$.id: integer where the document says string")]
    [InlineData(200, """{ "id": "a", "status": "Received" }""", "$.status: \"Received\" is not one of")]
    [InlineData(200, """{ "id": "a", "status": "received", "tags": [1] }""", "$.tags[0]: integer where the document says string")]
    [InlineData(200, """{ "id": "00-4f8b35bda680643bb0ea26b905c67c14-75170224650d12cc-01", "status": "received" }""", "$.id: 55 characters")]
    [InlineData(200, """{ "id": "a", "status": "received", "tags": ["x", "y", "z"] }""", "$.tags: 3 items where the document says at most 2")]
    [InlineData(200, """{ "id": "a", "status": "received", "rank": 0 }""", "$.rank: 0 where the document says at least 1")]
    [InlineData(200, """{ "id": "a", "status": "received", "rank": 10 }""", "$.rank: 10 where the document says at most 9")]
    [InlineData(200, """{ "id": "a", "status": "received", "verdict": null }""", "$.verdict: null is not one of [\"valuable\",\"prank\"]")]
    [InlineData(200, """{ "id": "a", "status": "received", "outcome": "failed" }""", "$.outcome: \"failed\" is not one of [\"solved\",null]")]
    [InlineData(500, """{ "title": "boom" }""", "status 500 is not documented")]
    [InlineData(404, """{ "title": "gone", "errors": {}, "stack": "at …" }""", "$.stack: answered, not in the document")]
    public void Each_kind_of_difference_is_found(int status, string body, string expected)
    {
        var mediaType = status == 200 ? "application/json" : "application/problem+json";
        var problems = Documented.Check("GET", TipPath, status, mediaType, body, NoHeaders);

        Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a", "status": "received" } }""", "msg_0195d0000000700080000000000000ab", null)]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a", "status": "received", "text": "x" } }""", "msg_0195d0000000700080000000000000ab", "$.data.text: sent, not in the document")]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a" } }""", "msg_0195d0000000700080000000000000ab", "$.data.status: required, missing")]
    [InlineData("""{ "type": "tip.assessed", "data": { "id": "a", "status": "received" } }""", "msg_0195d0000000700080000000000000ab", "$.type: ")]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a", "status": "received" } }""", "0195d000", "header webhook-id: ")]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a", "status": "received" } }""", null, "header webhook-id: required, missing")]
    [InlineData("""{ "type": "tip.referred", "data": { "id": "a", "status": "received" } }""", "msg_0195d0000000700080000000000000ab;webhook-version", "header webhook-version: sent, not in the document")]
    public void A_webhook_delivery_is_held_to_its_entry_body_and_headers(string body, string? id, string? expected)
    {
        // "id;name": the id and another header, named, sent beside it.
        var headers = id is null ? NoHeaders : id.Split(';') switch
        {
            [var only] => new Dictionary<string, string> { ["Webhook-Id"] = only },
            [var given, var other] => new Dictionary<string, string> { ["Webhook-Id"] = given, [other] = "1" },
            _ => throw new ArgumentException("An id, or an id and a header's name.", nameof(id)),
        };

        var problems = Documented.CheckWebhook("tip.referred", JsonNode.Parse(body), headers);

        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
        }

        Assert.Equal(["webhook camera.approved is not in the document"], Documented.CheckWebhook("camera.approved", JsonNode.Parse(body), headers));
    }

    [Fact]
    public void A_literal_path_wins_over_a_parameter_and_a_map_s_values_and_names_are_checked()
    {
        Assert.Empty(Documented.Check("GET", "/api/tips/stats?year=2024", 200, "application/json", """{ "received": 3 }""", NoHeaders));
        Assert.Contains("$.received: string where the document says integer", Documented.Check("GET", "/api/tips/stats", 200, "application/json", """{ "received": "3" }""", NoHeaders));
        Assert.Single(Documented.Check("GET", "/api/tips/stats", 200, "application/json", """{ "received": 3, "referred": 1 }""", NoHeaders), problem => problem.StartsWith("$ (the name referred)", StringComparison.Ordinal));
        Assert.Contains("GET /api/incidents is not in the document", Documented.Check("GET", "/api/incidents", 200, "application/json", "[]", NoHeaders));
    }

    /// <summary>
    /// A pending tip's verdict is null: an <c>enum</c> refuses a value it does not list, null too, whatever its <c>type</c>
    /// allows (2020-12 checks the two apart), as a client's validator refused the documents' nullable enums. Generated:
    /// any names, a type with or without null, an enum with or without null, and null, a listed name or another.
    /// </summary>
    [Fact]
    public void A_null_fits_an_enum_only_where_the_enum_lists_it_and_the_type_allows_it()
    {
        var names = Gen.Char['a', 'z'].Array[1, 8].Select(letters => new string(letters)).Array[1, 4].Select(listed => listed.Distinct().ToArray());
        Gen.Select(names, Gen.Bool, Gen.Bool, Gen.Int[0, 2]).Sample((listed, typeAllowsNull, enumListsNull, which) =>
        {
            var value = which switch { 0 => null, 1 => JsonValue.Create(listed[0]), _ => JsonValue.Create(string.Concat(listed) + "x") };
            var allowed = new JsonArray([.. listed.Select(name => (JsonNode?)name)]);
            if (enumListsNull)
            {
                allowed.Add(null);
            }

            var schema = new JsonObject { ["type"] = typeAllowsNull ? new JsonArray("null", "string") : (JsonNode)"string", ["enum"] = allowed };
            var fits = which switch { 0 => typeAllowsNull && enumListsNull, 1 => true, _ => false };

            Assert.Equal(fits, Answering(schema).Check("GET", "/x", 200, "application/json", JsonText(value), NoHeaders).Count == 0);
        });
    }

    /// <summary>
    /// An answer fits a <c>oneOf</c> when it fits exactly one of its schemas, an <c>anyOf</c> when it fits one at least.
    /// Generated: any number of schemas, each taking the answer or not.
    /// </summary>
    [Fact]
    public void A_oneOf_takes_exactly_one_of_its_schemas_and_an_anyOf_one_at_least()
    {
        Gen.Select(Gen.Bool.Array[1, 5], Gen.Bool).Sample((taking, exclusive) =>
        {
            var schema = new JsonObject
            {
                [exclusive ? "oneOf" : "anyOf"] = new JsonArray([.. taking.Select(takes => (JsonNode)new JsonObject { ["type"] = "object", ["required"] = new JsonArray(takes ? "items" : "other") })]),
            };
            var fitting = taking.Count(takes => takes);

            Assert.Equal(exclusive ? fitting == 1 : fitting >= 1, Answering(schema).Check("GET", "/x", 200, "application/json", """{ "items": [] }""", NoHeaders).Count == 0);
        });
    }

    /// <summary>
    /// An empty page is every audience's: it fits the police's page and the partner's, which a <c>oneOf</c> refuses and an
    /// <c>anyOf</c> takes. A schema fits as 2020-12 reads it when the document does not forbid other properties: a police
    /// view fits a schema that does not name its description, so with the partner's fields too it fits both; yet no view
    /// names all its fields, which the check's own rule refuses.
    /// </summary>
    [Fact]
    public void An_answer_two_audiences_views_describe_fits_an_anyOf_of_them_and_not_a_oneOf()
    {
        const string empty = """{ "items": [], "total": 0 }""";
        const string police = """{ "items": [{ "id": "a", "description": "car doors" }], "total": 1 }""";
        const string both = """{ "items": [{ "id": "a", "description": "car doors", "siteId": "s" }], "total": 1 }""";

        Assert.Contains("$: fits 2 of its oneOf (schemas 0 and 1), which takes exactly one", Documented.Check("GET", "/api/pages", 200, "application/json", empty, NoHeaders));
        Assert.Empty(Documented.Check("GET", "/api/pages", 200, "application/json", police, NoHeaders));
        Assert.Contains(Documented.Check("GET", "/api/pages", 200, "application/json", both, NoHeaders), problem => problem.StartsWith("$: fits 2 of its oneOf", StringComparison.Ordinal));
        Assert.Empty(Documented.Check("GET", "/api/tips", 200, "application/json", empty, NoHeaders));
        Assert.Empty(Documented.Check("GET", "/api/tips", 200, "application/json", police, NoHeaders));
        Assert.Contains(
            Documented.Check("GET", "/api/tips", 200, "application/json", both, NoHeaders),
            problem => problem.StartsWith("$: fits none of its anyOf: $.items[0].siteId: answered, not in the document", StringComparison.Ordinal));
        Assert.Contains(
            Documented.Check("GET", "/api/tips", 200, "application/json", """{ "items": [{ "id": "a" }], "total": 1 }""", NoHeaders),
            problem => problem.StartsWith("$: fits none of its anyOf", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/titled", """{ }""", "$.title: required, missing")]
    [InlineData("/api/forms", """{ "code": "a" }""", "$.code: 1 characters (a) where the document says at least 2")]
    [InlineData("/api/forms", """{ "code": "AB" }""", "$.code: AB does not match the document's pattern ^[a-z]+$")]
    [InlineData("/api/forms", "{ \"code\": \"ab\\n\" }", "$.code: ab\n does not match the document's pattern ^[a-z]+$")]
    [InlineData("/api/forms", """{ "kind": "incident" }""", "$.kind: \"incident\" is not \"tip\"")]
    [InlineData("/api/forms", """{ "share": 1 }""", "$.share: 1 where the document says less than 1")]
    [InlineData("/api/forms", """{ "share": 0 }""", "$.share: 0 where the document says more than 0")]
    [InlineData("/api/forms", """{ "seen": [] }""", "$.seen: 0 items where the document says at least 1")]
    [InlineData("/api/forms", """{ "seen": [1.5] }""", "$.seen[0]: number where the document says integer")]
    [InlineData("/api/forms", """{ "other": 1 }""", "$.other: answered, where the document allows no other property")]
    [InlineData("/api/forms", """{ "seen": [1, 2, 1] }""", "$.seen: items 0 and 2 are equal where the document says each is unique")]
    [InlineData("/api/forms", """{ "code": "ab", "kind": "tip", "share": 0.5, "seen": [1], "name": "x" }""", "$: 5 properties where the document says at most 4")]
    [InlineData("/api/unread", """[]""", "$: the document's schema uses contains, which this check does not read")]
    public void Each_keyword_is_read_as_2020_12_reads_it_and_one_the_check_does_not_read_is_a_problem(string path, string body, string expected) =>
        Assert.Contains(expected, Documented.Check("GET", path, 200, "application/json", body, NoHeaders));

    [Theory]
    [InlineData("""{ "code": "ab", "kind": "tip", "share": 0.5, "seen": [1, 2.0] }""")]
    [InlineData("""{ "name": "\ud83d\ude93\ud83d\ude93" }""")]
    public void Values_within_each_keyword_pass(string body) =>
        Assert.Empty(Documented.Check("GET", "/api/forms", 200, "application/json", body, NoHeaders));

    [Theory]
    [InlineData("POST", "/api/tips", 201, "Location=/api/tips/0195d000-0000-7000-8000-000000000001", null)]
    [InlineData("POST", "/api/tips", 201, "Location=/api/tips/0195d000-0000-7000-8000-000000000001|ETag=\"1\"|Idempotent-Replayed=true", null)]
    [InlineData("POST", "/api/tips", 201, "ETag=\"1\"", "header Location: required, missing")]
    [InlineData("POST", "/api/tips", 201, "location=https://elsewhere.example/tips/1", "header Location: https://elsewhere.example/tips/1 does not match")]
    [InlineData("POST", "/api/tips", 201, "Location=/api/tips/1|Idempotent-Replayed=false", "header Idempotent-Replayed: \"false\" is not one of [\"true\"]")]
    [InlineData("POST", "/api/tips", 429, "Retry-After=30", null)]
    [InlineData("POST", "/api/tips", 429, "Retry-After=soon", "header Retry-After: string where the document says integer")]
    [InlineData("POST", "/api/tips", 429, "Retry-After=0", "header Retry-After: 0 where the document says at least 1")]
    [InlineData("POST", "/api/tips/0195d000-0000-7000-8000-000000000001/assessments", 200, "ETag=\"3\"", null)]
    [InlineData("POST", "/api/tips/0195d000-0000-7000-8000-000000000001/assessments", 200, "", "header ETag: required, missing")]
    [InlineData("POST", "/api/tips/0195d000-0000-7000-8000-000000000001/assessments", 412, "ETag=W/\"3\"", "header ETag: W/\"3\" does not match")]
    [InlineData("GET", TipPath, 404, "ETag=\"3\"", "header ETag: answered, not in the document")]
    [InlineData("GET", TipPath, 200, "Location=/api/tips/1", "header Location: answered, not in the document")]
    [InlineData("POST", "/api/tips/0195d000-0000-7000-8000-000000000001/assessments", 200, "ETag=\"3\"|Idempotent-Replayed=true", "header Idempotent-Replayed: answered, not in the document")]
    public void An_answer_s_headers_are_those_its_response_declares(string method, string path, int status, string sent, string? expected)
    {
        var headers = sent.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(header => header.Split('=', 2)).ToDictionary(header => header[0], header => header[1], StringComparer.OrdinalIgnoreCase);

        var problems = Documented.Check(method, path, status, null, "", headers);

        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    private static DocumentedResponses Answering(JsonObject schema) => new(new JsonObject
    {
        ["paths"] = new JsonObject
        {
            ["/x"] = new JsonObject { ["get"] = new JsonObject { ["responses"] = new JsonObject { ["200"] = new JsonObject { ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } } } } } },
        },
    });

    private static string JsonText(JsonNode? value) => value?.ToJsonString() ?? "null";
}
