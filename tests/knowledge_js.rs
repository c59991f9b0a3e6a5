//! Checks the JavaScript / TypeScript sink catalogue
//! (`src/knowledge/sinks/javascript.toml`): its shape (kinds, unique names,
//! well-formed patterns, data and identifier arguments), that real call
//! paths resolve to the expected sinks through the resolver the engine uses,
//! that look-alike calls resolve to none, and that the sanitizers, opaque
//! calls, data loaders and ML modules answer as intended.

mod sink_cases;

use std::collections::HashSet;

use privacy_lens::analysis::sinks;
use privacy_lens::finding::SinkKind;
use privacy_lens::knowledge::{self, Catalogue};
use privacy_lens::language::Language;
use regex::Regex;

fn catalogue() -> &'static Catalogue {
    &knowledge::get().javascript
}

fn resolver() -> &'static sinks::Resolver {
    sinks::resolver(Language::JavaScript)
}

/// Characters a call pattern may use: module specifiers (`@scope/pkg-name`,
/// `langchain/vectorstores/memory`), properties, `()` and the globs.
fn is_pattern_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.*()@/-".contains(c)
}

/// `()` only appears as a pair, never as a lone bracket.
fn brackets_are_pairs(pattern: &str) -> bool {
    let stripped = pattern.replace("()", "");
    !stripped.contains('(') && !stripped.contains(')')
}

fn pattern_problems(what: &str, pattern: &str, allow_node_prefix: bool) -> Vec<String> {
    let mut problems = Vec::new();
    // `node:crypto` is the same module as `crypto`; only that prefix may hold a `:`.
    let body = match pattern.strip_prefix("node:") {
        Some(rest) if allow_node_prefix => rest,
        _ => pattern,
    };
    if body.is_empty() {
        problems.push(format!("{what}: empty pattern"));
    }
    if let Some(c) = body.chars().find(|c| !is_pattern_char(*c)) {
        problems.push(format!("{what}: `{pattern}` has the character {c:?}"));
    }
    if pattern.starts_with('*') || pattern.starts_with('.') {
        problems.push(format!(
            "{what}: `{pattern}` must start with a module specifier"
        ));
    }
    if !brackets_are_pairs(pattern) {
        problems.push(format!("{what}: `{pattern}` has an unpaired bracket"));
    }
    if pattern.contains("***") || pattern.contains("..") || pattern.ends_with('.') {
        problems.push(format!("{what}: `{pattern}` is malformed"));
    }
    problems
}

fn category_keys() -> HashSet<&'static str> {
    knowledge::get()
        .taxonomy
        .data_categories
        .iter()
        .map(|c| c.key.as_str())
        .collect()
}

// ------------------------------------------------------------------ shape

#[test]
fn javascript_catalogue_covers_every_sink_kind() {
    let cat = catalogue();
    for kind in SinkKind::ALL {
        let n = cat.sinks.iter().filter(|s| s.kind == kind).count();
        assert!(n > 0, "no JavaScript sink of kind {}", kind.as_str());
    }
    assert!(
        cat.sinks.len() >= 60,
        "expected a broad catalogue, got {} sinks",
        cat.sinks.len()
    );
    let patterns: usize = cat.sinks.iter().map(|s| s.calls.len()).sum();
    assert!(
        patterns >= 400,
        "expected many call patterns, got {patterns}"
    );
}

#[test]
fn javascript_sinks_are_well_formed_and_unique() {
    let cat = catalogue();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut seen_patterns = HashSet::new();
    let data_name = Regex::new(r"^(\$[0-9]|\$receiver|[A-Za-z_][A-Za-z0-9_]*)$").unwrap();
    let identifier_name =
        Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$").unwrap();
    for sink in &cat.sinks {
        if !seen.insert((sink.api.as_str(), sink.kind)) {
            problems.push(format!(
                "duplicate sink {} ({})",
                sink.api,
                sink.kind.as_str()
            ));
        }
        if sink.api.trim().is_empty() || sink.provider.trim().is_empty() {
            problems.push(format!("sink {:?} needs an api and a provider", sink.api));
        }
        if sink.calls.is_empty() {
            problems.push(format!("{}: no call patterns", sink.api));
        }
        for call in &sink.calls {
            problems.extend(pattern_problems(&sink.api, call, false));
            if !seen_patterns.insert(call.as_str()) {
                problems.push(format!("{}: `{call}` is listed twice", sink.api));
            }
        }
        for d in &sink.data {
            if !data_name.is_match(d) {
                problems.push(format!("{}: data argument `{d}` is malformed", sink.api));
            }
        }
        let mut data_seen = HashSet::new();
        for d in &sink.data {
            if !data_seen.insert(d) {
                problems.push(format!("{}: data argument `{d}` is listed twice", sink.api));
            }
        }
        for i in &sink.identifiers {
            if !identifier_name.is_match(i) {
                problems.push(format!("{}: identifier `{i}` is malformed", sink.api));
            }
            // An identifier is checked as a property of the options object;
            // listing its root as data (or `$0`, which keeps the object
            // whole) would hide it.
            let root = i.split('.').next().unwrap_or(i);
            if sink.data.iter().any(|d| d == root || d == "$0") {
                problems.push(format!(
                    "{}: `{root}` is an identifier but `{root}`/`$0` is data",
                    sink.api
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A literal pattern (no glob) must resolve to its own entry: if an earlier
/// entry claims it, the pattern is dead and its entry's data never applies.
#[test]
fn literal_sink_patterns_are_not_shadowed() {
    let cat = catalogue();
    let r = resolver();
    let mut problems = Vec::new();
    for sink in &cat.sinks {
        for call in sink.calls.iter().filter(|c| !c.contains('*')) {
            match r.sink(call) {
                Some(s) if s.api == sink.api && s.kind == sink.kind => {}
                Some(s) => problems.push(format!(
                    "`{call}` of {} is claimed by the earlier {} ({})",
                    sink.api,
                    s.api,
                    s.kind.as_str()
                )),
                None => problems.push(format!("`{call}` of {} resolves to nothing", sink.api)),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn javascript_helper_lists_are_well_formed() {
    let cat = catalogue();
    let keys = category_keys();
    let mut problems = Vec::new();
    for s in &cat.sanitizers {
        assert!(!s.calls.is_empty(), "sanitizer {} has no calls", s.name);
        for c in &s.calls {
            problems.extend(pattern_problems(&s.name, c, true));
        }
        for category in &s.categories {
            if !keys.contains(category.as_str()) {
                problems.push(format!("sanitizer {}: unknown category {category}", s.name));
            }
        }
    }
    for (what, list) in [
        ("opaque_calls", &cat.opaque_calls),
        ("data_loaders", &cat.data_loaders),
    ] {
        let mut seen = HashSet::new();
        for c in list {
            problems.extend(pattern_problems(what, c, true));
            if !seen.insert(c) {
                problems.push(format!("{what}: `{c}` is listed twice"));
            }
        }
    }
    for m in &cat.ml_modules {
        if m.is_empty()
            || m.chars()
                .any(|c| !(c.is_ascii_alphanumeric() || "_.@/-".contains(c)))
        {
            problems.push(format!("ml_modules: `{m}` is not a module specifier"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------- resolution

#[test]
fn javascript_calls_resolve_to_the_expected_sinks() {
    use SinkKind::*;
    let r = resolver();
    let cases: &[(&str, SinkKind, &str)] = &[
        // OpenAI Node SDK: default import, named imports, Azure, legacy v3
        (
            "openai().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.OpenAI().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.AzureOpenAI().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().chat.completions.parse",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().chat.completions.stream",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.OpenAI().beta.chat.completions.parse",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().beta.chat.completions.stream",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().withOptions().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().responses.create",
            LlmInference,
            "openai.responses.create",
        ),
        (
            "openai.OpenAI().responses.stream",
            LlmInference,
            "openai.responses.create",
        ),
        (
            "openai().completions.create",
            LlmInference,
            "openai.completions.create",
        ),
        (
            "openai().batches.create",
            LlmInference,
            "openai.batches.create",
        ),
        (
            "openai().audio.transcriptions.create",
            LlmInference,
            "openai.audio",
        ),
        (
            "openai().embeddings.create",
            Embedding,
            "openai.embeddings.create",
        ),
        (
            "openai.AzureOpenAI().embeddings.create",
            Embedding,
            "openai.embeddings.create",
        ),
        (
            "openai().fineTuning.jobs.create",
            FineTuning,
            "openai.fineTuning.jobs.create",
        ),
        (
            "openai().files.create",
            DatasetUpload,
            "openai.files.create",
        ),
        (
            "openai().vectorStores.files.uploadAndPoll",
            VectorStore,
            "openai.vectorStores.files.upload",
        ),
        (
            "openai().vectorStores.files.createAndPoll",
            VectorStore,
            "openai.vectorStores.files.upload",
        ),
        (
            "openai.OpenAI().vectorStores.fileBatches.uploadAndPoll",
            VectorStore,
            "openai.vectorStores.files.upload",
        ),
        (
            "openai().beta.vectorStores.files.uploadAndPoll",
            VectorStore,
            "openai.vectorStores.files.upload",
        ),
        (
            "openai.OpenAIApi().createCompletion",
            LlmInference,
            "openai.completions.create",
        ),
        (
            "openai.OpenAIApi().createChatCompletion",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai().createChatCompletion",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.OpenAIApi().createEmbedding",
            Embedding,
            "openai.embeddings.create",
        ),
        (
            "openai.OpenAIApi().createFineTune",
            FineTuning,
            "openai.fineTuning.jobs.create",
        ),
        (
            "openai.OpenAIApi().createFile",
            DatasetUpload,
            "openai.files.create",
        ),
        // Anthropic
        (
            "@anthropic-ai/sdk().messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "@anthropic-ai/sdk.Anthropic().messages.stream",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "@anthropic-ai/sdk().messages.countTokens",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "@anthropic-ai/sdk().beta.messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "@anthropic-ai/bedrock-sdk.AnthropicBedrock().messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "@anthropic-ai/sdk().messages.batches.create",
            LlmInference,
            "anthropic.messages.batches.create",
        ),
        (
            "@anthropic-ai/sdk().beta.messages.batches.create",
            LlmInference,
            "anthropic.messages.batches.create",
        ),
        (
            "@anthropic-ai/sdk().beta.files.upload",
            DatasetUpload,
            "anthropic.beta.files.upload",
        ),
        (
            "@anthropic-ai/claude-agent-sdk.query",
            LlmInference,
            "claude_agent_sdk.query",
        ),
        // Vercel AI SDK
        ("ai.generateText", LlmInference, "ai.generateText"),
        ("ai.streamText", LlmInference, "ai.generateText"),
        ("ai.generateObject", LlmInference, "ai.generateText"),
        ("ai.streamObject", LlmInference, "ai.generateText"),
        (
            "ai.experimental_generateImage",
            LlmInference,
            "ai.generateText",
        ),
        (
            "ai.Experimental_Agent().generate",
            LlmInference,
            "ai.generateText",
        ),
        ("ai.embed", Embedding, "ai.embed"),
        ("ai.embedMany", Embedding, "ai.embed"),
        // LangChain.js
        (
            "@langchain/openai.ChatOpenAI().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/openai.ChatOpenAI().stream",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/openai.ChatOpenAI().bindTools().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/openai.ChatOpenAI().withStructuredOutput().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/openai.OpenAI().call",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/anthropic.ChatAnthropic().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/google-genai.ChatGoogleGenerativeAI().batch",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/mistralai.ChatMistralAI().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/cohere.ChatCohere().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/community/chat_models/bedrock.BedrockChat().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain/chat_models/openai.ChatOpenAI().predict",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain/llms/openai.OpenAI().call",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "@langchain/ollama.ChatOllama().invoke",
            LocalInference,
            "ollama.chat",
        ),
        (
            "@langchain/community/chat_models/ollama.ChatOllama().stream",
            LocalInference,
            "ollama.chat",
        ),
        (
            "@langchain/core/runnables.RunnableSequence.from().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "@langchain/core/prompts.ChatPromptTemplate.fromMessages().pipe().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "@langchain/core/prompts.PromptTemplate.fromTemplate().pipe().pipe().stream",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain/chains.LLMChain().call",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain/chains.LLMChain().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain/chains.RetrievalQAChain.fromLLM().call",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain/chains/retrieval.createRetrievalChain().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "@langchain/langgraph/prebuilt.createReactAgent().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "@langchain/openai.OpenAIEmbeddings().embedDocuments",
            Embedding,
            "langchain.Embeddings.embedDocuments",
        ),
        (
            "@langchain/openai.OpenAIEmbeddings().embedQuery",
            Embedding,
            "langchain.Embeddings.embedDocuments",
        ),
        (
            "@langchain/ollama.OllamaEmbeddings().embedDocuments",
            Embedding,
            "langchain.Embeddings.embedDocuments",
        ),
        (
            "@langchain/community/embeddings/hf.HuggingFaceInferenceEmbeddings().embedQuery",
            Embedding,
            "langchain.Embeddings.embedDocuments",
        ),
        (
            "langchain/vectorstores/memory.MemoryVectorStore.fromDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "langchain/vectorstores/memory.MemoryVectorStore.fromTexts",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/pinecone.PineconeStore().addDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/pinecone.PineconeStore.fromExistingIndex().addDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/community/vectorstores/chroma.Chroma.fromDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/qdrant.QdrantVectorStore.fromTexts",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/community/vectorstores/supabase.SupabaseVectorStore.fromDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/weaviate.WeaviateStore().addVectors",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/community/vectorstores/faiss.FaissStore.fromTexts",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        (
            "@langchain/community/vectorstores/pgvector.PGVectorStore.initialize().addDocuments",
            VectorStore,
            "langchain.VectorStore.addDocuments",
        ),
        // Google
        (
            "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel().generateContent",
            LlmInference,
            "google.generativeai.GenerativeModel.generateContent",
        ),
        (
            "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel().generateContentStream",
            LlmInference,
            "google.generativeai.GenerativeModel.generateContent",
        ),
        (
            "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel().startChat().sendMessage",
            LlmInference,
            "google.generativeai.GenerativeModel.generateContent",
        ),
        (
            "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel().embedContent",
            Embedding,
            "google.generativeai.GenerativeModel.embedContent",
        ),
        (
            "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel().batchEmbedContents",
            Embedding,
            "google.generativeai.GenerativeModel.embedContent",
        ),
        (
            "@google/generative-ai/server.GoogleAIFileManager().uploadFile",
            DatasetUpload,
            "google.generativeai.GoogleAIFileManager.uploadFile",
        ),
        (
            "@google/genai.GoogleGenAI().models.generateContent",
            LlmInference,
            "google.genai.models.generateContent",
        ),
        (
            "@google/genai.GoogleGenAI().models.generateContentStream",
            LlmInference,
            "google.genai.models.generateContent",
        ),
        (
            "@google/genai.GoogleGenAI().models.embedContent",
            Embedding,
            "google.genai.models.embedContent",
        ),
        (
            "@google/genai.GoogleGenAI().chats.create().sendMessage",
            LlmInference,
            "google.genai.chats.sendMessage",
        ),
        (
            "@google/genai.GoogleGenAI().files.upload",
            DatasetUpload,
            "google.genai.files.upload",
        ),
        (
            "@google/genai.GoogleGenAI().tunings.tune",
            FineTuning,
            "google.genai.tunings.tune",
        ),
        (
            "@google-cloud/vertexai.VertexAI().getGenerativeModel().generateContent",
            LlmInference,
            "vertexai.GenerativeModel.generateContent",
        ),
        // Cohere
        (
            "cohere-ai.CohereClientV2().chat",
            LlmInference,
            "cohere.chat",
        ),
        (
            "cohere-ai.CohereClient().chatStream",
            LlmInference,
            "cohere.chat",
        ),
        (
            "cohere-ai.CohereClient().generate",
            LlmInference,
            "cohere.chat",
        ),
        (
            "cohere-ai.CohereClient().v2.chat",
            LlmInference,
            "cohere.chat",
        ),
        (
            "cohere-ai.CohereClientV2().embed",
            Embedding,
            "cohere.embed",
        ),
        (
            "cohere-ai.CohereClient().datasets.create",
            DatasetUpload,
            "cohere.datasets.create",
        ),
        (
            "cohere-ai.CohereClient().finetuning.createFinetunedModel",
            FineTuning,
            "cohere.finetuning.createFinetunedModel",
        ),
        // Mistral
        (
            "@mistralai/mistralai.Mistral().chat.complete",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "@mistralai/mistralai.Mistral().chat.stream",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "@mistralai/mistralai().chat",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "@mistralai/mistralai.Mistral().embeddings.create",
            Embedding,
            "mistralai.embeddings.create",
        ),
        (
            "@mistralai/mistralai.Mistral().files.upload",
            DatasetUpload,
            "mistralai.files.upload",
        ),
        (
            "@mistralai/mistralai.Mistral().fineTuning.jobs.create",
            FineTuning,
            "mistralai.fineTuning.jobs.create",
        ),
        // Ollama
        ("ollama.chat", LocalInference, "ollama.chat"),
        ("ollama.generate", LocalInference, "ollama.chat"),
        ("ollama.embed", Embedding, "ollama.embed"),
        ("ollama.embeddings", Embedding, "ollama.embed"),
        ("ollama.Ollama().chat", LlmInference, "ollama.Client.chat"),
        ("ollama.Ollama().embed", Embedding, "ollama.embed"),
        // LlamaIndex.TS
        (
            "llamaindex.VectorStoreIndex.fromDocuments",
            VectorStore,
            "llamaindex.VectorStoreIndex.fromDocuments",
        ),
        (
            "llamaindex.VectorStoreIndex.fromDocuments().insert",
            VectorStore,
            "llamaindex.VectorStoreIndex.fromDocuments",
        ),
        (
            "llamaindex.VectorStoreIndex.fromDocuments().asQueryEngine().query",
            LlmInference,
            "llamaindex.QueryEngine.query",
        ),
        (
            "llamaindex.VectorStoreIndex.fromDocuments().asChatEngine().chat",
            LlmInference,
            "llamaindex.QueryEngine.query",
        ),
        (
            "llamaindex.ContextChatEngine().chat",
            LlmInference,
            "llamaindex.QueryEngine.query",
        ),
        (
            "@llamaindex/openai.OpenAI().chat",
            LlmInference,
            "llamaindex.QueryEngine.query",
        ),
        (
            "@llamaindex/ollama.Ollama().chat",
            LocalInference,
            "ollama.chat",
        ),
        // transformers.js, TensorFlow.js and other local models
        (
            "@huggingface/transformers.pipeline()()",
            LocalInference,
            "transformers.js.pipeline",
        ),
        (
            "@xenova/transformers.pipeline()()",
            LocalInference,
            "transformers.js.pipeline",
        ),
        (
            "@huggingface/transformers.pipeline()",
            LocalInference,
            "transformers.js.pipeline",
        ),
        (
            "@huggingface/transformers.AutoModelForCausalLM.from_pretrained().generate",
            LocalInference,
            "transformers.js.generate",
        ),
        (
            "@xenova/transformers.AutoModel.from_pretrained()()",
            LocalInference,
            "transformers.js.generate",
        ),
        (
            "@tensorflow/tfjs.sequential().fit",
            Training,
            "tfjs.LayersModel.fit",
        ),
        (
            "@tensorflow/tfjs-node.sequential().fitDataset",
            Training,
            "tfjs.LayersModel.fit",
        ),
        (
            "@tensorflow/tfjs.model().trainOnBatch",
            Training,
            "tfjs.LayersModel.fit",
        ),
        (
            "@tensorflow/tfjs.sequential().predict",
            LocalInference,
            "tfjs.LayersModel.predict",
        ),
        (
            "@tensorflow/tfjs-node.loadLayersModel().predict",
            LocalInference,
            "tfjs.LayersModel.predict",
        ),
        (
            "@tensorflow/tfjs.loadGraphModel().executeAsync",
            LocalInference,
            "tfjs.LayersModel.predict",
        ),
        ("brain.js.NeuralNetwork().train", Training, "ml.train"),
        ("brain.js.NeuralNetwork().run", LocalInference, "ml.predict"),
        (
            "ml-random-forest.RandomForestClassifier().train",
            Training,
            "ml.train",
        ),
        ("ml-regression-simple-linear", Training, "ml.train"),
        (
            "natural.BayesClassifier().addDocument",
            Training,
            "ml.train",
        ),
        (
            "node-llama-cpp.LlamaChatSession().prompt",
            LocalInference,
            "llama.cpp.LlamaChatSession.prompt",
        ),
        (
            "@mlc-ai/web-llm.CreateMLCEngine().chat.completions.create",
            LocalInference,
            "llama.cpp.LlamaChatSession.prompt",
        ),
        (
            "face-api.js.detectAllFaces",
            LocalInference,
            "face-api.js.detect",
        ),
        (
            "onnxruntime-node.InferenceSession.create().run",
            LocalInference,
            "onnxruntime.InferenceSession.run",
        ),
        // Vector databases
        (
            "@pinecone-database/pinecone.Pinecone().index().upsert",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "@pinecone-database/pinecone.Pinecone().Index().upsert",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "@pinecone-database/pinecone.Pinecone().index().namespace().upsert",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "@pinecone-database/pinecone.Pinecone().index().namespace().upsertRecords",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "chromadb.ChromaClient().getOrCreateCollection().add",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "chromadb.ChromaClient().createCollection().upsert",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "chromadb.CloudClient().getCollection().add",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "@qdrant/js-client-rest.QdrantClient().upsert",
            VectorStore,
            "qdrant.QdrantClient.upsert",
        ),
        (
            "weaviate-client.connectToLocal().collections.get().data.insert",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate-client.connectToWeaviateCloud().collections.use().data.insertMany",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate-ts-client.client().data.creator().withClassName().withProperties().do",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate-ts-client.client().batch.objectsBatcher().withObject().do",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "@zilliz/milvus2-sdk-node.MilvusClient().insert",
            VectorStore,
            "milvus.MilvusClient.insert",
        ),
        // Other hosted APIs
        (
            "groq-sdk().chat.completions.create",
            LlmInference,
            "groq.chat.completions.create",
        ),
        (
            "groq-sdk.Groq().chat.completions.create",
            LlmInference,
            "groq.chat.completions.create",
        ),
        (
            "together-ai().chat.completions.create",
            LlmInference,
            "together.chat.completions.create",
        ),
        (
            "together-ai().embeddings.create",
            Embedding,
            "together.embeddings.create",
        ),
        ("replicate().run", LlmInference, "replicate.run"),
        (
            "replicate().predictions.create",
            LlmInference,
            "replicate.run",
        ),
        (
            "replicate().trainings.create",
            FineTuning,
            "replicate.trainings.create",
        ),
        (
            "@huggingface/inference.HfInference().textGeneration",
            LlmInference,
            "huggingface.inference",
        ),
        (
            "@huggingface/inference.InferenceClient().chatCompletion",
            LlmInference,
            "huggingface.inference",
        ),
        (
            "@huggingface/inference.HfInference().featureExtraction",
            Embedding,
            "huggingface.inference.featureExtraction",
        ),
        (
            "@huggingface/hub.uploadFile",
            DatasetUpload,
            "huggingface.hub.uploadFile",
        ),
        (
            "@aws-sdk/client-bedrock-runtime.BedrockRuntimeClient().send",
            LlmInference,
            "bedrock-runtime.send",
        ),
        (
            "@aws-sdk/client-bedrock-agent-runtime.BedrockAgentRuntimeClient().send",
            LlmInference,
            "bedrock-runtime.send",
        ),
        (
            "@azure/openai.OpenAIClient().getChatCompletions",
            LlmInference,
            "openai.chat.completions.create",
        ),
        ("@openai/agents.run", LlmInference, "openai.agents.run"),
        ("genkit.genkit().generate", LlmInference, "genkit.generate"),
        (
            "@mastra/core/agent.Agent().generate",
            LlmInference,
            "mastra.Agent.generate",
        ),
        (
            "voyageai.VoyageAIClient().embed",
            Embedding,
            "voyageai.embed",
        ),
    ];
    // Look-alikes that must not be sinks.
    let lookalikes = [
        "twilio().messages.create",
        "twilio.Twilio().messages.create",
        "stripe().customers.create",
        "@supabase/supabase-js.createClient().from().insert",
        "@supabase/supabase-js.createClient().rpc",
        "@prisma/client.PrismaClient().user.create",
        "prisma.user.create",
        "mongodb.MongoClient().db().collection().insertOne",
        "@elastic/elasticsearch.Client().index",
        "firebase-admin.firestore().collection().add",
        "@sendgrid/mail.send",
        "nodemailer.createTransport().sendMail",
        "axios.post",
        "@aws-sdk/client-s3.S3Client().send",
        "redis.createClient().set",
        "openai.toFile",
        "openai().models.list",
        "openai().files.retrieve",
        "openai.Configuration",
        "@anthropic-ai/sdk().models.list",
        "ai.tool",
        "ai.streamText().toDataStreamResponse",
        "@ai-sdk/openai.openai",
        "@ai-sdk/openai.createOpenAI",
        "@langchain/core/prompts.ChatPromptTemplate.fromMessages().invoke",
        "@langchain/core/prompts.PromptTemplate.fromTemplate().format",
        "@langchain/textsplitters.RecursiveCharacterTextSplitter().splitDocuments",
        "langchain/text_splitter.RecursiveCharacterTextSplitter().createDocuments",
        "@langchain/pinecone.PineconeStore.fromExistingIndex().similaritySearch",
        "langchain/document_loaders/fs/pdf.PDFLoader().load",
        "@huggingface/transformers.pipeline",
        "@huggingface/transformers.AutoTokenizer.from_pretrained()()",
        "@huggingface/transformers.AutoModelForCausalLM.from_pretrained",
        "@tensorflow/tfjs.tensor2d",
        "@tensorflow/tfjs.sequential().compile",
        "@tensorflow/tfjs.sequential().add",
        "chromadb.ChromaClient().getOrCreateCollection().query",
        "@pinecone-database/pinecone.Pinecone().index().query",
        "@qdrant/js-client-rest.QdrantClient().search",
        "weaviate-client.connectToLocal().collections.get().query.nearText",
        "@google/genai.GoogleGenAI().models.list",
        "@google/generative-ai.GoogleGenerativeAI().getGenerativeModel",
        "cohere-ai.CohereClient().models.list",
        "ollama.list",
        "ollama.pull",
        "papaparse.parse",
        "crypto.createHash",
        "JSON.stringify",
    ];
    let problems = sink_cases::resolution_problems(r, cases, &lookalikes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `const { CohereClientV2 } = require("cohere-ai")` currently binds the
/// module itself (`cohere-ai`), unlike `import { CohereClientV2 } from
/// "cohere-ai"` (`cohere-ai.CohereClientV2`); the catalogue accepts both.
#[test]
fn destructured_require_paths_resolve() {
    let r = resolver();
    for (path, api) in [
        ("cohere-ai().chat", "cohere.chat"),
        ("cohere-ai().embed", "cohere.embed"),
        ("openai().createCompletion", "openai.completions.create"),
        (
            "@pinecone-database/pinecone().index().upsert",
            "pinecone.Index.upsert",
        ),
        (
            "@aws-sdk/client-bedrock-runtime().send",
            "bedrock-runtime.send",
        ),
        ("@langchain/openai().invoke", "langchain.ChatModel.invoke"),
        (
            "@langchain/openai().embedDocuments",
            "langchain.Embeddings.embedDocuments",
        ),
        (
            "@mistralai/mistralai().chat.complete",
            "mistralai.chat.complete",
        ),
        (
            "@google/genai().models.generateContent",
            "google.genai.models.generateContent",
        ),
        (
            "chromadb().getOrCreateCollection().add",
            "chromadb.Collection.add",
        ),
        (
            "@qdrant/js-client-rest().upsert",
            "qdrant.QdrantClient.upsert",
        ),
        (
            "llamaindex.fromDocuments",
            "llamaindex.VectorStoreIndex.fromDocuments",
        ),
        (
            "llamaindex.fromDocuments().asQueryEngine().query",
            "llamaindex.QueryEngine.query",
        ),
        ("ollama().chat", "ollama.Client.chat"),
    ] {
        assert_eq!(r.sink(path).map(|s| s.api.as_str()), Some(api), "{path}");
    }
    for path in [
        "crypto().update().digest",
        "@redactpii/node().redact",
        "redact-pii().redact",
    ] {
        assert!(r.sanitizer(path).is_some(), "{path} should be a sanitizer");
    }
}

#[test]
fn unresolved_clients_fall_back_to_the_imported_sdk() {
    let r = resolver();
    let imports = |roots: &'static [&'static str]| move |root: &str| roots.contains(&root);
    let found = |path: &str, roots: &'static [&'static str]| {
        r.sink_by_suffix(path, imports(roots))
            .map(|s| (s.api.as_str(), s.kind))
    };
    assert_eq!(
        found("this.client.chat.completions.create", &["openai"]),
        Some(("openai.chat.completions.create", SinkKind::LlmInference))
    );
    assert_eq!(
        found("deps.openai.embeddings.create", &["openai"]),
        Some(("openai.embeddings.create", SinkKind::Embedding))
    );
    assert_eq!(
        found("client.messages.create", &["@anthropic-ai/sdk"]),
        Some(("anthropic.messages.create", SinkKind::LlmInference))
    );
    assert_eq!(
        found("ai.models.generateContent", &["@google/genai"]),
        Some((
            "google.genai.models.generateContent",
            SinkKind::LlmInference
        ))
    );
    assert_eq!(
        found("this.mistral.chat.complete", &["@mistralai/mistralai"]),
        Some(("mistralai.chat.complete", SinkKind::LlmInference))
    );
    assert_eq!(
        found("pc.index().upsert", &["@pinecone-database/pinecone"]),
        Some(("pinecone.Index.upsert", SinkKind::VectorStore))
    );
    // Without the SDK's import, a method of the same name is not a sink.
    assert_eq!(
        found("this.client.chat.completions.create", &["twilio"]),
        None
    );
    assert_eq!(found("client.messages.create", &["twilio", "openai"]), None);
    assert_eq!(
        found("db.users.create", &["openai", "@anthropic-ai/sdk"]),
        None
    );
}

#[test]
fn identifier_fields_are_declared_for_provider_user_ids() {
    let cat = catalogue();
    let find = |api: &str| {
        cat.sinks
            .iter()
            .find(|s| s.api == api)
            .unwrap_or_else(|| panic!("sink {api} is missing"))
    };
    let chat = find("openai.chat.completions.create");
    assert!(chat.identifiers.iter().any(|i| i == "user"));
    assert!(chat.identifiers.iter().any(|i| i == "safety_identifier"));
    assert!(chat.data.iter().any(|d| d == "messages"));
    let responses = find("openai.responses.create");
    assert!(
        responses
            .identifiers
            .iter()
            .any(|i| i == "safety_identifier")
    );
    assert!(responses.data.iter().any(|d| d == "input"));
    assert!(responses.data.iter().any(|d| d == "instructions"));
    let messages = find("anthropic.messages.create");
    assert!(messages.identifiers.iter().any(|i| i == "metadata.user_id"));
    assert!(messages.data.iter().any(|d| d == "system"));
    assert!(messages.data.iter().any(|d| d == "messages"));
    let generate = find("ai.generateText");
    for d in ["prompt", "messages", "system"] {
        assert!(generate.data.iter().any(|x| x == d), "ai.generateText: {d}");
    }
    let embed = find("ai.embed");
    for d in ["value", "values"] {
        assert!(embed.data.iter().any(|x| x == d), "ai.embed: {d}");
    }
    // Positional data: `embedDocuments(texts)`, `model.invoke(messages)`.
    assert!(
        find("langchain.Embeddings.embedDocuments")
            .data
            .iter()
            .any(|d| d == "$0")
    );
    assert!(
        find("langchain.ChatModel.invoke")
            .data
            .iter()
            .any(|d| d == "$0")
    );
    // Chains take arbitrary prompt variables: every argument is data.
    assert!(find("langchain.Chain.invoke").data.is_empty());
    // A chat session holds its history; a Weaviate builder its properties.
    assert!(
        find("google.genai.chats.sendMessage")
            .data
            .iter()
            .any(|d| d == "$receiver")
    );
    assert!(
        find("weaviate.collection.data.insert")
            .data
            .iter()
            .any(|d| d == "$receiver")
    );
    // Bedrock's command object is the whole request.
    assert!(find("bedrock-runtime.send").data.iter().any(|d| d == "$0"));
}

#[test]
fn local_sinks_name_a_local_provider() {
    // Local kinds are reported as local only when the provider name says so.
    let cat = catalogue();
    for sink in &cat.sinks {
        let local_provider =
            sink.provider.contains("(local") || sink.provider.contains("own model");
        if sink.kind == SinkKind::LocalInference {
            assert!(
                local_provider,
                "{}: local inference needs a local provider name, got {:?}",
                sink.api, sink.provider
            );
        }
        if local_provider {
            assert!(
                matches!(
                    sink.kind,
                    SinkKind::LocalInference
                        | SinkKind::Embedding
                        | SinkKind::Training
                        | SinkKind::FineTuning
                        | SinkKind::VectorStore
                ),
                "{}: a local provider cannot be {}",
                sink.api,
                sink.kind.as_str()
            );
        }
    }
}

// --------------------------------------------- sanitizers, opaque, loaders

#[test]
fn javascript_sanitizers_opaque_calls_and_loaders_resolve() {
    let r = resolver();
    for path in [
        "crypto.createHash().update",
        "crypto.createHash().update().digest",
        "crypto.createHmac().update().digest",
        "node:crypto.createHash().update().digest",
        "crypto.hash",
        "crypto.subtle.digest",
        "crypto-js.SHA256",
        "crypto-js.HmacSHA256",
        "crypto-js/sha256",
        "js-sha256.sha256",
        "@noble/hashes/sha2.sha256",
        "uuid.v5",
        "redact-pii.SyncRedactor().redact",
        "redact-pii.AsyncRedactor().redactAsync",
        "@redactpii/node.Redactor().redact",
        "@blindfold/sdk.Blindfold().tokenize",
        "@google-cloud/dlp.DlpServiceClient().deidentifyContent",
        "crypto.createCipheriv().update",
        "crypto-js.AES.encrypt",
    ] {
        assert!(r.sanitizer(path).is_some(), "{path} should be a sanitizer");
    }
    for path in [
        "crypto.createHash",
        "crypto.randomUUID",
        "uuid.v4",
        "bcrypt.hash",
        "Buffer.from().toString",
        "btoa",
        "encodeURIComponent",
        "validator.escape",
        "lodash.escape",
    ] {
        assert!(r.sanitizer(path).is_none(), "{path} is not a PII sanitizer");
    }
    let hashing = r
        .sanitizer("crypto.createHash().update().digest")
        .expect("crypto hashing is a sanitizer");
    assert!(
        !hashing
            .categories
            .iter()
            .any(|c| knowledge::key_has_prefix("user.authorization.password", c)),
        "a hashed password is still a credential"
    );
    assert!(
        !hashing
            .categories
            .iter()
            .any(|c| knowledge::key_has_prefix("user.demographic.date_of_birth", c)),
        "a hashed birth date is reversible by dictionary"
    );
    assert!(
        r.sanitizer("redact-pii.SyncRedactor().redact")
            .is_some_and(|s| s.categories.is_empty()),
        "a PII redactor removes every category"
    );
    for path in [
        "Boolean",
        "Array.isArray",
        "Number.isInteger",
        "console.log",
        "console.error",
        "Object.keys",
        "validator.isEmail",
        "bcrypt.compare",
        "winston.createLogger().info",
    ] {
        assert!(r.is_opaque(path), "{path} should be opaque");
    }
    for path in [
        "JSON.stringify",
        "String",
        "Number",
        "parseInt",
        "Object.values",
        "Object.entries",
        "Array.from",
        "encodeURIComponent",
        "validator.normalizeEmail",
    ] {
        assert!(!r.is_opaque(path), "{path} passes its data through");
    }
    for path in [
        "papaparse.parse()",
        "papaparse.parse().data",
        "csv-parse/sync.parse()",
        "csv-parse.parse()",
        "danfojs.readCSV()",
        "danfojs-node.readCSV().dropNa()",
        "d3-dsv.csvParse()",
        "d3.csv()",
        "xlsx.utils.sheet_to_json()",
        "@tensorflow/tfjs.data.csv()",
    ] {
        assert!(r.is_loaded_table(path), "{path} should be a loaded table");
    }
    for path in [
        "papaparse.unparse()",
        "d3.csvFormat()",
        "fs.readFileSync()",
        "JSON.parse()",
    ] {
        assert!(!r.is_loaded_table(path), "{path} is not a loaded table");
    }
    for module in [
        "@tensorflow/tfjs",
        "@tensorflow/tfjs-node",
        "brain.js",
        "brain",
        "ml-regression",
        "ml-random-forest",
        "synaptic",
    ] {
        assert!(
            r.ml_modules().iter().any(|m| m == module),
            "{module} should be an ML module"
        );
    }
}
