//! `http`: GET and POST under the network policy ([`crate::net`]): only `http`/`https`, no
//! loopback, private or reserved addresses unless the sandbox allows them.

use std::time::Duration;

use llmspell_bridge::{Args, Function, HostError, Map, Module, Record, Type, Value};

use crate::modules::in_function;
use crate::{HostContext, SandboxSettings, net};

const OPTS_DOC: &str = "Extra request headers and the timeout.";

/// The keys of the options of `http.get` and `http.post`; validation rejects any other.
fn options_record() -> Type {
    Record::new("HttpOptions", "The options of an HTTP request.")
        .optional("headers", Type::Map, None, "Extra request headers: name → value.")
        .optional(
            "timeout",
            Type::Float,
            Some(Value::Int(30)),
            "The timeout of the whole request, in seconds.",
        )
        .into_type()
}

pub(crate) fn module(context: &HostContext) -> Module {
    let (get_settings, post_settings) = (context.sandbox.clone(), context.sandbox.clone());
    Module::new(
        "http",
        "HTTP requests subject to the network policy: only `http` and `https` URLs; loopback, \
         private, link-local and other non-public addresses (also when a name resolves to \
         one, and after every redirect) are `sandbox_denied` unless `sandbox.allow_private_network` \
         is set or the host is in `sandbox.allow_hosts`. A response of any status is returned, \
         not raised; network failures are `http`, an expired timeout `http_timeout`.",
    )
    .function(
        Function::new("get")
            .doc("Sends a GET request and reads the whole response (at most 10 MiB).")
            .param("url", Type::Str, "The `http://` or `https://` URL.")
            .optional("opts", options_record(), None, OPTS_DOC)
            .returns(
                Type::Map,
                "`{ status: int, headers: map (lower-case names), body: str }`.",
            )
            .example(
                r#"local response = http.get("https://example.com/data.json")
if response.status == 200 then print(#response.body) end"#,
                r#"const response = await http.get("https://example.com/data.json");
if (response.status === 200) { print(response.body.length); }"#,
                r#"let response = http.get("https://example.com/data.json");
if response.status == 200 { print(response.body.len()); }"#,
            )
            .io(move |args| {
                let settings = get_settings.clone();
                Box::pin(async move {
                    let url = args.str(0)?.to_owned();
                    let (headers, timeout) = options(&args, 1)?;
                    send(&settings, &args, "GET", &url, None, &headers, timeout).await
                })
            }),
    )
    .function(
        Function::new("post")
            .doc(
                "Sends a POST request and reads the whole response (at most 10 MiB). A map or \
                 list body is sent as JSON with `content-type: application/json` (unless the \
                 headers set one); a string is sent as is.",
            )
            .param("url", Type::Str, "The `http://` or `https://` URL.")
            .param(
                "body",
                Type::Union(vec![Type::Str, Type::Map, Type::list(Type::Any)]),
                "The request body: text, or a map or list to send as JSON.",
            )
            .optional("opts", options_record(), None, OPTS_DOC)
            .returns(
                Type::Map,
                "`{ status: int, headers: map (lower-case names), body: str }`.",
            )
            .example(
                r#"local response = http.post("https://example.com/api", { query = "rust" }, { timeout = 10 })
print(response.status)"#,
                r#"const response = await http.post("https://example.com/api", { query: "rust" }, { timeout: 10 });
print(response.status);"#,
                r#"let response = http.post("https://example.com/api", #{ query: "rust" }, #{ timeout: 10 });
print(response.status);"#,
            )
            .io(move |args| {
                let settings = post_settings.clone();
                Box::pin(async move {
                    let url = args.str(0)?.to_owned();
                    let (mut headers, timeout) = options(&args, 2)?;
                    let body = match args.get(1) {
                        Value::Str(text) => text.clone(),
                        value => {
                            if !headers
                                .iter()
                                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                            {
                                headers.push((
                                    "content-type".to_owned(),
                                    "application/json".to_owned(),
                                ));
                            }
                            let json = value
                                .to_json()
                                .map_err(|error| in_function(&args.qualified, error))?;
                            json.to_string()
                        }
                    };
                    send(&settings, &args, "POST", &url, Some(body), &headers, timeout).await
                })
            }),
    )
}

async fn send(
    settings: &SandboxSettings,
    args: &Args,
    method: &str,
    url: &str,
    body: Option<String>,
    headers: &[(String, String)],
    timeout: Option<Duration>,
) -> Result<Value, HostError> {
    net::request(settings, method, url, body, headers, timeout)
        .await
        .map(net::HttpResponse::into_value)
        .map_err(|error| in_function(&args.qualified, error))
}

/// Reads `{ headers?, timeout? }` from argument `index` (its keys already validated).
fn options(
    args: &Args,
    index: usize,
) -> Result<(Vec<(String, String)>, Option<Duration>), HostError> {
    let empty = Map::new();
    let opts = args.get(index).as_map().unwrap_or(&empty);
    let bad =
        |message: String| HostError::invalid_argument(format!("{}: {message}", args.qualified));
    let mut headers = Vec::new();
    match opts.get("headers") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(map)) => {
            for (name, value) in map {
                let value = match value {
                    Value::Str(text) => text.clone(),
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) => value.to_display(),
                    other => {
                        return Err(bad(format!(
                            "header '{name}' must be a string, got {}",
                            other.type_name()
                        )));
                    }
                };
                headers.push((name.clone(), value));
            }
        }
        Some(other) => {
            return Err(bad(format!(
                "option 'headers' must be a map, got {}",
                other.type_name()
            )));
        }
    }
    let timeout = match opts.get("timeout") {
        None | Some(Value::Nil) => None,
        Some(value) => match value.as_float() {
            Some(seconds) if seconds > 0.0 && seconds.is_finite() && seconds <= 86_400.0 => {
                Some(Duration::from_secs_f64(seconds))
            }
            _ => {
                return Err(bad(
                    "option 'timeout' must be a positive number of seconds".to_owned()
                ));
            }
        },
    };
    Ok((headers, timeout))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use llmspell_bridge::{Invocation, Registry};

    use super::*;
    use crate::net::test_server::{Reply, Seen, start};
    use crate::{SpellInfo, registry};

    struct Host {
        registry: Registry,
        _workspace: tempfile::TempDir,
    }

    fn host(allow_private_network: bool) -> Host {
        let workspace = tempfile::tempdir().unwrap();
        let mut context = HostContext::new(workspace.path(), SpellInfo::default(), Map::new());
        context.sandbox.allow_private_network = allow_private_network;
        Host {
            registry: registry(context),
            _workspace: workspace,
        }
    }

    impl Host {
        fn call(&self, function: &str, args: Vec<Value>) -> Result<Value, HostError> {
            let module = self.registry.module("http").unwrap();
            let found = module.find(function).unwrap();
            match found.invoke(&module.qualified(found.name), None, args) {
                Invocation::Ready(result) => result,
                Invocation::Pending(future) => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(future),
            }
        }
    }

    fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
        &value.as_map().unwrap()[key]
    }

    fn echo_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let address = start(move |request| {
            log.lock().unwrap().push(request.clone());
            match request.path.as_str() {
                "/slow" => Reply::text(200, "late").delayed(Duration::from_secs(3)),
                "/teapot" => Reply::text(418, "short and stout"),
                _ => Reply::text(
                    200,
                    format!("{} {} {}", request.method, request.path, request.body),
                )
                .header("x-served-by", "test"),
            }
        });
        (format!("http://127.0.0.1:{}", address.port()), seen)
    }

    #[test]
    fn loopback_is_denied_by_default() {
        let (base, seen) = echo_server();
        let closed = host(false);
        let error = closed
            .call("get", vec![format!("{base}/a").into()])
            .unwrap_err();
        assert_eq!(error.code, "sandbox_denied", "{error}");
        assert!(error.message.starts_with("http.get: "), "{error}");
        let error = closed
            .call("post", vec![format!("{base}/a").into(), "x".into()])
            .unwrap_err();
        assert_eq!(error.code, "sandbox_denied", "{error}");
        assert!(
            seen.lock().unwrap().is_empty(),
            "a denied request reached the server"
        );
        let error = closed
            .call("get", vec!["file:///etc/passwd".into()])
            .unwrap_err();
        assert_eq!(error.code, "sandbox_denied");
    }

    #[test]
    fn get_and_post_return_status_headers_and_body() {
        let (base, seen) = echo_server();
        let open = host(true);
        let mut headers = Map::new();
        headers.insert("x-token".into(), "abc".into());
        let mut opts = Map::new();
        opts.insert("headers".into(), Value::Map(headers));
        opts.insert("timeout".into(), Value::Int(5));
        let response = open
            .call(
                "get",
                vec![format!("{base}/page?q=1").into(), Value::Map(opts)],
            )
            .unwrap();
        assert_eq!(field(&response, "status"), &Value::Int(200));
        assert_eq!(field(&response, "body"), &Value::from("GET /page?q=1 "));
        assert_eq!(
            field(field(&response, "headers"), "x-served-by"),
            &Value::from("test")
        );
        assert!(
            seen.lock().unwrap()[0]
                .headers
                .contains(&("x-token".to_owned(), "abc".to_owned()))
        );

        let response = open
            .call(
                "post",
                vec![format!("{base}/submit").into(), "plain text".into()],
            )
            .unwrap();
        assert_eq!(
            field(&response, "body"),
            &Value::from("POST /submit plain text")
        );

        let mut body = Map::new();
        body.insert("query".into(), "rust".into());
        let response = open
            .call(
                "post",
                vec![format!("{base}/json").into(), Value::Map(body)],
            )
            .unwrap();
        assert_eq!(
            field(&response, "body"),
            &Value::from(r#"POST /json {"query":"rust"}"#)
        );
        let last = seen.lock().unwrap().last().unwrap().clone();
        assert!(
            last.headers
                .contains(&("content-type".to_owned(), "application/json".to_owned()))
        );

        let response = open
            .call("get", vec![format!("{base}/teapot").into()])
            .unwrap();
        assert_eq!(field(&response, "status"), &Value::Int(418));
    }

    #[test]
    fn bad_options_timeouts_and_failures_have_codes() {
        let (base, _) = echo_server();
        let open = host(true);
        let mut opts = Map::new();
        opts.insert("timeout".into(), Value::Float(0.2));
        let error = open
            .call("get", vec![format!("{base}/slow").into(), Value::Map(opts)])
            .unwrap_err();
        assert_eq!(error.code, "http_timeout", "{error}");
        let mut opts = Map::new();
        opts.insert("retries".into(), Value::Int(2));
        let error = open
            .call("get", vec![format!("{base}/").into(), Value::Map(opts)])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.contains("retries"), "{error}");
        let mut opts = Map::new();
        opts.insert("timeout".into(), Value::Int(-1));
        let error = open
            .call("get", vec![format!("{base}/").into(), Value::Map(opts)])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        let error = open.call("get", vec!["nonsense".into()]).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        let error = open.call("get", vec![Value::Int(3)]).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
    }
}
