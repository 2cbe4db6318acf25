// Sends each form of the page once: a second click while the first request runs would make a
// second signed call (for a refresh, with the token the first one spends: reuse, and the family
// is revoked). Back to the page from the history cache, its forms work again.
/* global window */
'use strict'

document.addEventListener('submit', (event) => {
  const form = event.target
  if (form.dataset.submitted) {
    event.preventDefault()
    return
  }
  form.dataset.submitted = 'true'
  for (const button of form.querySelectorAll('button')) button.setAttribute('aria-disabled', 'true')
})
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-submitted]')) {
    delete form.dataset.submitted
    for (const button of form.querySelectorAll('button')) button.removeAttribute('aria-disabled')
  }
})
