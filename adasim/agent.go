package adasim

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The simulated AI Agent. Ada's real AI Agent is generative; this one is a deterministic stand-in
// (same input, same output) that shows the documented flows: a greeting that uses the context
// set on the end user before the conversation (first_name and language: the "pre-greeting
// context" of the End Users developer guide), an answer to every end-user message, a handoff to
// a human agent, and the return of the AI Agent after end-handoff. Every text is an assumption.

const (
	aiAgentDisplayName = "Sandbox AI Agent"
	// handoffIntegration names the simulated custom handoff in webhook data.
	handoffIntegration = "sandbox-handoff"
	maxQuotedRunes     = 160
)

// agentTexts is what the AI Agent says, in one language.
type agentTexts struct {
	greetNamed   string // %s: first name
	greetAnon    string
	youSaid      string // %s: the quoted message
	fileReceived string // %s: file name
	handoff      string
	handoffEnded string
	csatLinkText string
}

// agentLanguages is keyed by the primary subtag of the end user's BCP 47 language (pt-BR → pt).
var agentLanguages = sync.OnceValue(func() map[string]agentTexts {
	return map[string]agentTexts{
		"en": {
			greetNamed:   "Hi %s! I'm the test AI Agent of the Ada simulator. How can I help you today?",
			greetAnon:    "Hi there! I'm the test AI Agent of the Ada simulator. How can I help you today?",
			youSaid:      "You said: \"%s\". I'm a simulated AI Agent, so this is a canned answer.",
			fileReceived: "Thanks, I received your file \"%s\".",
			handoff:      "I'm connecting you with a human agent. Please stay in this conversation.",
			handoffEnded: "The human agent has left the conversation. I'm the AI Agent again: how else can I help?",
			csatLinkText: "How was your conversation? Rate it here",
		},
		"fr": {
			greetNamed:   "Bonjour %s ! Je suis l'AI Agent de test du simulateur Ada. Comment puis-je vous aider ?",
			greetAnon:    "Bonjour ! Je suis l'AI Agent de test du simulateur Ada. Comment puis-je vous aider ?",
			youSaid:      "Vous avez écrit : « %s ». Je suis un AI Agent simulé : ceci est une réponse préenregistrée.",
			fileReceived: "Merci, j'ai bien reçu votre fichier « %s ».",
			handoff:      "Je vous mets en relation avec un agent humain. Merci de rester dans cette conversation.",
			handoffEnded: "L'agent humain a quitté la conversation. Je suis de nouveau l'AI Agent : comment puis-je vous aider ?",
			csatLinkText: "Comment s'est passée votre conversation ? Donnez votre avis ici",
		},
		"es": {
			greetNamed:   "¡Hola %s! Soy el AI Agent de prueba del simulador de Ada. ¿En qué puedo ayudarte?",
			greetAnon:    "¡Hola! Soy el AI Agent de prueba del simulador de Ada. ¿En qué puedo ayudarte?",
			youSaid:      "Escribiste: «%s». Soy un AI Agent simulado, así que esta es una respuesta predefinida.",
			fileReceived: "Gracias, recibí tu archivo «%s».",
			handoff:      "Te estoy conectando con un agente humano. Por favor, permanece en esta conversación.",
			handoffEnded: "El agente humano ha salido de la conversación. Vuelvo a ser el AI Agent: ¿en qué más puedo ayudarte?",
			csatLinkText: "¿Qué tal fue tu conversación? Valórala aquí",
		},
		"pt": {
			greetNamed:   "Olá %s! Sou o AI Agent de teste do simulador Ada. Como posso ajudar?",
			greetAnon:    "Olá! Sou o AI Agent de teste do simulador Ada. Como posso ajudar?",
			youSaid:      "Você escreveu: “%s”. Sou um AI Agent simulado, então esta é uma resposta pronta.",
			fileReceived: "Obrigado, recebi o seu arquivo “%s”.",
			handoff:      "Estou conectando você com um agente humano. Por favor, permaneça nesta conversa.",
			handoffEnded: "O agente humano saiu da conversa. Sou o AI Agent novamente: em que mais posso ajudar?",
			csatLinkText: "Como foi a sua conversa? Avalie aqui",
		},
		"de": {
			greetNamed:   "Hallo %s! Ich bin der Test-AI-Agent des Ada-Simulators. Wie kann ich helfen?",
			greetAnon:    "Hallo! Ich bin der Test-AI-Agent des Ada-Simulators. Wie kann ich helfen?",
			youSaid:      "Sie schrieben: „%s“. Ich bin ein simulierter AI Agent, daher ist dies eine vorbereitete Antwort.",
			fileReceived: "Danke, ich habe Ihre Datei „%s“ erhalten.",
			handoff:      "Ich verbinde Sie mit einem menschlichen Mitarbeiter. Bitte bleiben Sie in dieser Unterhaltung.",
			handoffEnded: "Der menschliche Mitarbeiter hat die Unterhaltung verlassen. Ich bin wieder der AI Agent: Wie kann ich sonst helfen?",
			csatLinkText: "Wie war Ihre Unterhaltung? Hier bewerten",
		},
	}
})

// textsFor picks the end user's language; without one (or an unknown one) the AI Agent uses
// its default, English ("defaults to the AI Agent's configured default language").
func textsFor(language *string) agentTexts {
	if language != nil {
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(*language)), "-")
		primary, _, _ = strings.Cut(primary, "_")
		if texts, ok := agentLanguages()[primary]; ok {
			return texts
		}
	}
	return agentLanguages()["en"]
}

// greeting is the AI Agent's first message in a conversation.
func greeting(u *endUser) string {
	texts := textsFor(u.profile.language)
	if u.profile.firstName != nil {
		if name := strings.TrimSpace(*u.profile.firstName); name != "" {
			return fmt.Sprintf(texts.greetNamed, name)
		}
	}
	return texts.greetAnon
}

// answer is the AI Agent's reply to an end-user message, and whether the message asks for a
// human (then the reply announces the handoff).
func answer(u *endUser, content messageContent) (reply string, handoff bool) {
	texts := textsFor(u.profile.language)
	if content.Type == contentFile {
		return fmt.Sprintf(texts.fileReceived, content.Filename), false
	}
	if asksForHuman(content.Body) {
		return texts.handoff, true
	}
	return fmt.Sprintf(texts.youSaid, quote(content.Body)), false
}

// asksForHuman reports whether the text contains "human", "agent" or "person" as a word, in
// any case (the simulator's trigger for a handoff).
func asksForHuman(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		switch w {
		case "human", "agent", "person":
			return true
		}
	}
	return false
}

// quote is the message on one line, shortened to maxQuotedRunes.
func quote(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= maxQuotedRunes {
		return text
	}
	runes := []rune(text)
	return string(runes[:maxQuotedRunes-1]) + "…"
}
