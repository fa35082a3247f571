using System.Text.Json.Nodes;
using WardLink.EventSourcing.Sites;
using WardLink.Gateway;

namespace WardLink.UnitTests;

public sealed class OpenApiMergeTests
{
    private static readonly JsonObject Gateway = JsonNode.Parse(
        """
        {
          "openapi": "3.1.1",
          "security": [ { "oauth2": [] } ],
          "paths": {
            "/health/live": { "get": { "operationId": "GetLiveness", "security": [ {} ], "responses": { "200": { "description": "Alive." } } } }
          },
          "components": { "schemas": { "ProblemDetails": { "type": "object", "properties": { "traceId": { "type": "string" } } } } }
        }
        """)!.AsObject();

    [Fact]
    public void A_service_s_paths_go_under_api_tagged_with_the_service()
    {
        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Paths("/tips/{id}", "get", "GetTip", "Tips")), Service("patrols", Paths("/patrols/sites", "get", "ListSites", "Sites"))]);

        Assert.Equal(["tips"], Tags(merged, "/api/tips/{id}", "get"));
        Assert.Equal(["patrols: Sites"], Tags(merged, "/api/patrols/sites", "get"));
        Assert.Null(merged["paths"]!["/tips/{id}"]);
        Assert.Equal(["GetLiveness", "GetTip", "ListSites"], OperationIds(merged));
        Assert.Contains(merged["tags"]!.AsArray(), tag => tag!["name"]!.GetValue<string>() == "patrols: Sites");
    }

    [Fact]
    public void Schemas_identical_in_two_services_are_kept_once_under_their_name()
    {
        var place = """{ "type": "object", "properties": { "description": { "type": "string" } } }""";

        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Schemas(("Place", place))), Service("incidents", Schemas(("Place", place)))]);

        var schemas = merged["components"]!["schemas"]!.AsObject();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(place), schemas["Place"]));
        Assert.DoesNotContain(schemas, schema => schema.Key.EndsWith("Place", StringComparison.Ordinal) && schema.Key != "Place");
    }

    [Fact]
    public void Schemas_that_differ_are_prefixed_with_their_service_and_every_reference_follows_even_through_an_equal_text()
    {
        // ListPageOfKnownSite reads the same in both documents, but the KnownSite it points at differs.
        var page = """{ "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/KnownSite" } } } }""";
        var tips = Service("tips", Schemas(("KnownSite", """{ "type": "object", "properties": { "name": { "type": "string" } } }"""), ("ListPageOfKnownSite", page)));
        var patrols = Service("patrols", Schemas(("KnownSite", """{ "type": "object", "properties": { "code": { "type": "string" } } }"""), ("ListPageOfKnownSite", page)));
        patrols.Document!["paths"] = Paths("/patrols/sites", "get", "ListSites", "Sites");
        patrols.Document["paths"]!["/patrols/sites"]!["get"]!["responses"] = JsonNode.Parse(
            """{ "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ListPageOfKnownSite" } } } } }""");

        var merged = OpenApiMerge.Merge(Gateway, [tips, patrols]);

        var schemas = merged["components"]!["schemas"]!.AsObject();
        Assert.Equal(
            ["PatrolsKnownSite", "PatrolsListPageOfKnownSite", "ProblemDetails", "TipsKnownSite", "TipsListPageOfKnownSite"],
            schemas.Select(schema => schema.Key).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/TipsKnownSite", schemas["TipsListPageOfKnownSite"]!["properties"]!["items"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/PatrolsKnownSite", schemas["PatrolsListPageOfKnownSite"]!["properties"]!["items"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal(
            "#/components/schemas/PatrolsListPageOfKnownSite",
            merged["paths"]!["/api/patrols/sites"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void The_gateway_s_problem_details_describe_every_service_s()
    {
        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Schemas(("ProblemDetails", """{ "type": "object" }""")))]);

        Assert.True(JsonNode.DeepEquals(Gateway["components"]!["schemas"]!["ProblemDetails"], merged["components"]!["schemas"]!["ProblemDetails"]));
        Assert.Null(merged["components"]!["schemas"]!["TipsProblemDetails"]);
    }

    [Fact]
    public void An_operation_id_two_services_use_is_prefixed_with_each_service()
    {
        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Paths("/tips/sites", "get", "ListSites", "Sites")), Service("patrols", Paths("/patrols/sites", "get", "ListSites", "Sites"))]);

        Assert.Equal(["GetLiveness", "PatrolsListSites", "TipsListSites"], OperationIds(merged).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_proxied_operation_lists_auth_rate_limit_input_faults_and_gateway_failures_as_problem_details()
    {
        var tips = Service("tips", Paths("/tips/{id}/assessments", "post", "AssessTip", "Tips"));
        tips.Document!["paths"]!["/tips/{id}/assessments"]!["post"]!["requestBody"] = JsonNode.Parse("""{ "content": { "application/json": { "schema": { "type": "object" } } } }""");
        tips.Document["paths"]!["/tips/{id}/assessments"]!["post"]!["responses"]!["409"] = JsonNode.Parse(
            """{ "description": "Conflict", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDetails" } } } }""");

        var merged = OpenApiMerge.Merge(Gateway, [tips]);

        var responses = merged["paths"]!["/api/tips/{id}/assessments"]!["post"]!["responses"]!.AsObject();
        Assert.Equal(["200", "400", "401", "403", "404", "408", "409", "413", "415", "429", "500", "502", "503", "504"], responses.Select(response => response.Key));
        foreach (var (status, response) in responses.Where(response => response.Key != "200"))
        {
            // Bad input names each wrong field.
            var schema = status == "400" ? "HttpValidationProblemDetails" : "ProblemDetails";
            Assert.Equal($"#/components/schemas/{schema}", response!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        }

        Assert.NotNull(responses["429"]!["headers"]!["Retry-After"]);
        Assert.NotNull(responses["503"]!["headers"]!["Retry-After"]);
    }

    [Fact]
    public void Public_tip_endpoints_and_health_need_no_token_and_list_no_401_or_403()
    {
        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Paths("/public/tips/{code}", "get", "GetPublicTip", "Public tips"))]);

        foreach (var operation in new[] { merged["paths"]!["/api/public/tips/{code}"]!["get"]!, merged["paths"]!["/health/live"]!["get"]! })
        {
            Assert.True(OpenApiMerge.IsAnonymous(operation.AsObject()));
            Assert.Null(operation["responses"]!["401"]);
            Assert.Null(operation["responses"]!["403"]);
            Assert.NotNull(operation["responses"]!["429"]);

            // Any request may carry a body, and the limit is enforced before routing: a GET too. Any carries headers, which are checked.
            Assert.NotNull(operation["responses"]!["413"]);
            Assert.NotNull(operation["responses"]!["400"]);
        }

        Assert.Null(merged["paths"]!["/health/live"]!["get"]!["responses"]!["502"]);

        // Admission control lets health through: only what it refuses says 503.
        Assert.Null(merged["paths"]!["/health/live"]!["get"]!["responses"]!["503"]);
        Assert.NotNull(merged["paths"]!["/api/public/tips/{code}"]!["get"]!["responses"]!["503"]!["headers"]!["Retry-After"]);
    }

    [Fact]
    public void A_service_without_a_document_is_named_with_its_reason_and_the_others_are_merged()
    {
        var merged = OpenApiMerge.Merge(Gateway, [Service("tips", Paths("/tips", "get", "ListTips", "Tips")), new ServiceDocument("partners", null, "unreachable")]);

        Assert.NotNull(merged["paths"]!["/api/tips"]);
        var missing = Assert.Single(merged[OpenApiMerge.MissingExtension]!.AsArray());
        Assert.Equal("partners", missing!["service"]!.GetValue<string>());
        Assert.Equal("unreachable", missing["reason"]!.GetValue<string>());
        Assert.Null(OpenApiMerge.Merge(Gateway, [])[OpenApiMerge.MissingExtension]);
    }

    [Fact]
    public void A_service_s_webhooks_are_kept_as_it_describes_them_their_references_following_its_renamed_schemas()
    {
        var hook = """{ "post": { "operationId": "CameraApprovedWebhook", "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/KnownSite" } } } }, "responses": { "2XX": { "description": "Received." } } } }""";
        var partners = Service("partners", Schemas(("KnownSite", """{ "type": "object", "properties": { "owner": { "type": "string" } } }""")));
        partners.Document!["webhooks"] = new JsonObject { ["camera.approved"] = JsonNode.Parse(hook) };
        var tips = Service("tips", Schemas(("KnownSite", """{ "type": "object", "properties": { "name": { "type": "string" } } }""")));

        var merged = OpenApiMerge.Merge(Gateway, [tips, partners]);

        var webhook = merged["webhooks"]!["camera.approved"]!["post"]!;
        Assert.Equal("#/components/schemas/PartnersKnownSite", webhook["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(["2XX"], webhook["responses"]!.AsObject().Select(response => response.Key));
        Assert.Null(webhook["tags"]);
        Assert.Null(merged["paths"]!["/api/camera.approved"]);
        Assert.Null(OpenApiMerge.Merge(Gateway, [tips])["webhooks"]);
    }

    private static ServiceDocument Service(string name, JsonObject content)
    {
        var document = new JsonObject { ["openapi"] = "3.1.1" };
        if (content["paths"] is null && content["schemas"] is null)
        {
            document["paths"] = content;
        }
        else
        {
            document["components"] = content;
        }

        return new ServiceDocument(name, document, null);
    }

    private static JsonObject Paths(string path, string method, string operationId, string tag) => new()
    {
        [path] = new JsonObject
        {
            [method] = new JsonObject
            {
                ["tags"] = new JsonArray(tag),
                ["operationId"] = operationId,
                ["parameters"] = path.Contains('{', StringComparison.Ordinal) ? JsonNode.Parse("""[ { "name": "id", "in": "path", "required": true } ]""") : new JsonArray(),
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            },
        },
    };

    private static JsonObject Schemas(params (string Name, string Json)[] schemas) => new()
    {
        ["schemas"] = new JsonObject(schemas.Select(schema => KeyValuePair.Create(schema.Name, JsonNode.Parse(schema.Json)))),
    };

    private static IEnumerable<string> Tags(JsonObject merged, string path, string method) =>
        merged["paths"]![path]![method]!["tags"]!.AsArray().Select(tag => tag!.GetValue<string>());

    private static IEnumerable<string> OperationIds(JsonObject merged) =>
        merged["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(operation => operation.Value!["operationId"]!.GetValue<string>()));
}
