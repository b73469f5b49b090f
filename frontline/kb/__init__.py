"""The knowledge base: canned replies (macros) today; articles, deflection and
the fit checks that warn when a macro does not suit a ticket come with the
knowledge-base issue (frontline.kb.fit is the hook they fill).

    models        Macro: a title, a text with placeholders, the changes it makes
    placeholders  the placeholder syntax, pure: which names exist, checking, filling in
    macros        keeping macros (personal and shared) and finding the ones a person sees
    rendering     a macro's text for one ticket: the values its placeholders name
    fit           the fit hook: warnings when a macro may not suit a ticket (none yet)

Applying a macro to a ticket spans apps (the text, then status, assignee, team
and tags through their owners), so it is frontline.workflow.macros.
"""
