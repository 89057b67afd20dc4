"""The language server against pytest-lsp's client, which checks every message against the LSP
specification and against the recorded capabilities of real clients (Neovim and VS Code): the
server must never send what the client did not say it supports.

Runs the real binary ($LLMSPELL_BIN) on a temporary copy of tests/lsp-nvim/workspace (an
llmspell.toml and one spell per language, each with the typo `agent.craete`).
"""

import asyncio
import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("LLMSPELL_BIN", str(ROOT / "target" / "debug" / "llmspell"))
WORKSPACE = ROOT / "tests" / "lsp-nvim" / "workspace"
CLIENTS = ["neovim", "visual_studio_code"]
SPELLS = {
    "lua": ("spell.lua", ":"),
    "javascript": ("spell.js", "."),
    "rhai": ("spell.rhai", "."),
}


@pytest_lsp.fixture(
    params=CLIENTS,
    config=ClientServerConfig(server_command=[BINARY, "lsp", "--stdio"]),
)
async def client(request, lsp_client: LanguageClient, tmp_path):
    # Real clients with dynamic registration accept the server's llmspell.toml watcher;
    # pytest-lsp's client has no handler for it, so give it the one a client has.
    lsp_client.registrations = []

    def register_capability(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(register_capability)
    workspace = tmp_path / "workspace"
    shutil.copytree(WORKSPACE, workspace)
    lsp_client.workspace_root = workspace.resolve()
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=workspace.resolve().as_uri(),
            workspace_folders=[
                types.WorkspaceFolder(uri=workspace.resolve().as_uri(), name="workspace")
            ],
        )
    )
    lsp_client.initialize_result = result
    yield
    await lsp_client.shutdown_session()


def open_spell(client: LanguageClient, language: str, extra: str = "", prefix: str = ""):
    """Opens the workspace's spell in `language` (with `extra` appended, as a new document named
    with `prefix` when given); returns its URI and lines."""
    name, _ = SPELLS[language]
    path = client.workspace_root / name
    text = path.read_text() + extra
    uri = path.with_name(prefix + name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return uri, text.split("\n")


def position_of(lines, line_contains: str, needle: str, offset: int = 0):
    for number, line in enumerate(lines):
        if line_contains in line and needle in line:
            return types.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(f"no {needle!r} on a line with {line_contains!r}")


async def test_initialize_announces_the_features(client: LanguageClient):
    capabilities = client.initialize_result.capabilities
    assert client.initialize_result.server_info.name == "llmspell"
    assert capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    assert "." in capabilities.completion_provider.trigger_characters
    assert "(" in capabilities.signature_help_provider.trigger_characters
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert capabilities.hover_provider
    assert capabilities.definition_provider


async def test_the_config_watcher_is_registered_when_the_client_allows(client: LanguageClient):
    # The server registers it after `initialized`, concurrently with everything else: wait.
    for _ in range(100):
        if client.registrations:
            break
        await asyncio.sleep(0.02)
    dynamic = client.capabilities.workspace.did_change_watched_files
    methods = [registration.method for registration in client.registrations]
    if dynamic and dynamic.dynamic_registration:
        assert methods == ["workspace/didChangeWatchedFiles"]
    else:
        assert methods == []


@pytest.mark.parametrize("language", SPELLS)
async def test_diagnostics_flag_the_typo(client: LanguageClient, language):
    uri, lines = open_spell(client, language)
    # Poll: the notification may arrive before a wait for it would start.
    for _ in range(1000):
        if uri in client.diagnostics:
            break
        await asyncio.sleep(0.01)
    diagnostics = client.diagnostics[uri]
    typo_line = position_of(lines, "craete", "craete").line
    assert [d.range.start.line for d in diagnostics] == [typo_line], diagnostics
    assert "craete" in diagnostics[0].message
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert diagnostics[0].source == "llmspell"


def labels(result):
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return {item.label for item in items}


@pytest.mark.parametrize("language", SPELLS)
async def test_completion_of_modules_and_agent_methods(client: LanguageClient, language):
    _, trigger = SPELLS[language]
    uri, lines = open_spell(client, language, "agent.", prefix="modules_")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=len(lines) - 1, character=len("agent.")),
        )
    )
    assert "create" in labels(result)
    uri, lines = open_spell(client, language, f"a{trigger}", prefix="methods_")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=len(lines) - 1, character=2),
        )
    )
    assert "run" in labels(result)


@pytest.mark.parametrize("language", SPELLS)
async def test_hover_shows_the_doc(client: LanguageClient, language):
    uri, lines = open_spell(client, language)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(lines, "agent.create", "create", 2),
        )
    )
    assert "agent.create" in result.contents.value
    assert "Creates an agent" in result.contents.value


@pytest.mark.parametrize("language", SPELLS)
async def test_signature_help_has_the_active_parameter(client: LanguageClient, language):
    uri, lines = open_spell(client, language)
    result = await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(lines, "stream(", "helper"),
        )
    )
    signature = result.signatures[result.active_signature or 0]
    assert signature.label.startswith("Agent.stream(")
    assert result.active_parameter == 1
    start, end = signature.parameters[1].label
    assert signature.label[start:end].startswith("on_chunk")


@pytest.mark.parametrize("language", SPELLS)
async def test_definition_of_a_local(client: LanguageClient, language):
    uri, lines = open_spell(client, language)
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(lines, "print(helper)", "helper", 1),
        )
    )
    location = result[0] if isinstance(result, list) else result
    assert location.uri == uri
    assert location.range.start == position_of(lines, "helper =", "helper")
