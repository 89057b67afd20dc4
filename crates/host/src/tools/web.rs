//! `web_fetch` and `http_request`: HTTP through the spell's network policy ([`crate::net`]):
//! loopback and private addresses are denied unless `allow_private_network`, plus `allow_hosts`.

use futures::FutureExt;
use llmspell_bridge::{HostError, Map, Value};
use serde_json::json;

use super::{BuiltinDecl, arg_str};
use crate::HostContext;

pub(super) const FETCH: BuiltinDecl = (
    "web_fetch",
    "Fetches a web page or file with GET and returns its text. An answer with an error status \
     (4xx, 5xx) is an `http` error. Private and loopback addresses are refused unless the \
     configuration allows them.",
    || {
        json!({
            "type": "object",
            "properties": {"url": {"type": "string", "description": "An http:// or https:// URL."}},
            "required": ["url"],
            "additionalProperties": false
        })
    },
    |context, args| fetch(context, args).boxed(),
);

pub(super) const REQUEST: BuiltinDecl = (
    "http_request",
    "Sends an HTTP request and returns `{status, headers, body}` whatever the status. \
     Private and loopback addresses are refused unless the configuration allows them.",
    || {
        json!({
            "type": "object",
            "properties": {
                "url": {"type": "string", "description": "An http:// or https:// URL."},
                "method": {"type": "string", "description": "GET (default), POST, PUT, PATCH, DELETE, HEAD…"},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Extra request headers."},
                "body": {"type": "string", "description": "The request body."}
            },
            "required": ["url"],
            "additionalProperties": false
        })
    },
    |context, args| request(context, args).boxed(),
);

async fn fetch(context: HostContext, args: Map) -> Result<Value, HostError> {
    let url = arg_str(&args, "url").unwrap_or_default();
    let response = crate::net::request(&context.sandbox, "GET", url, None, &[], None).await?;
    if response.status >= 400 {
        return Err(HostError::new(
            crate::net::HTTP,
            format!("GET {url} answered {}", response.status),
        ));
    }
    Ok(Value::Str(response.body))
}

async fn request(context: HostContext, args: Map) -> Result<Value, HostError> {
    let url = arg_str(&args, "url").unwrap_or_default();
    let method = arg_str(&args, "method").unwrap_or("GET");
    let headers: Vec<(String, String)> = args
        .get("headers")
        .and_then(Value::as_map)
        .map(|headers| {
            headers
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let body = arg_str(&args, "body").map(str::to_owned);
    let response = crate::net::request(&context.sandbox, method, url, body, &headers, None).await?;
    Ok(response.into_value())
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Value, map_of};
    use serde_json::json;

    use crate::net::test_server::{Reply, start};
    use crate::tools::ToolBox;
    use crate::tools::testing::runtime;
    use crate::{HostContext, SandboxSettings, SpellInfo};

    fn toolbox(allow_private_network: bool) -> (ToolBox, tempfile::TempDir) {
        let workspace = tempfile::tempdir().unwrap();
        let context = HostContext::new(workspace.path(), SpellInfo::default(), Default::default())
            .with_sandbox(SandboxSettings {
                allow_hosts: Vec::new(),
                allow_private_network,
            });
        (ToolBox::new(&context), workspace)
    }

    #[test]
    fn fetch_and_request_go_through_the_network_policy() {
        let address = start(|seen| match seen.path.as_str() {
            "/page" => Reply::text(200, "<p>hello</p>"),
            "/echo" => {
                Reply::text(201, format!("{} {}", seen.method, seen.body)).header("x-test", "yes")
            }
            _ => Reply::text(404, "missing"),
        });
        let (tools, _workspace) = toolbox(true);
        let run = |name: &str, args: serde_json::Value| {
            runtime().block_on(tools.call(name, Value::from_json(args)))
        };
        let page = format!("http://{address}/page");
        assert_eq!(
            run("web_fetch", json!({"url": page})).unwrap(),
            Value::from("<p>hello</p>")
        );
        let missing = run(
            "web_fetch",
            json!({"url": format!("http://{address}/gone")}),
        )
        .unwrap_err();
        assert_eq!(missing.code, "http");
        assert!(missing.message.contains("answered 404"), "{missing}");
        let response = run(
            "http_request",
            json!({"url": format!("http://{address}/echo"), "method": "POST", "body": "data", "headers": {"x-a": "b"}}),
        )
        .unwrap();
        let map = response.as_map().unwrap();
        assert_eq!(map["status"], Value::Int(201));
        assert_eq!(map["body"], Value::from("POST data"));
        assert_eq!(
            map["headers"].as_map().unwrap()["x-test"],
            Value::from("yes")
        );
        let (denied_tools, _other) = toolbox(false);
        for name in ["web_fetch", "http_request"] {
            let error = runtime()
                .block_on(denied_tools.call(name, map_of([("url", Value::from(page.as_str()))])))
                .unwrap_err();
            assert_eq!(error.code, "sandbox_denied", "{name}: {error}");
        }
    }
}
